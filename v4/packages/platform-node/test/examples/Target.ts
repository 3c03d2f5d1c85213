/**
 * Where the ported examples run: the v4 emulator, started in-process on a loopback port.
 * Ported from the Effect 3 line's `examples/src/Target.ts`, emulator mode only (the Effect
 * 3 line's examples also run against a real account from `LUCCA_*` variables; these are
 * the test's copies, which never do).
 */
import type { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** What a program needs to build a `LuccaClient`. */
export type Application = Omit<LuccaClient.Options, "scopes">

export class Target extends Context.Service<Target, {
  /** Where requests go, for the summary. */
  readonly description: string
  readonly mode: "emulator" | "lucca"
  /**
   * A client application for one use case. On the emulator, it is declared with exactly
   * these scopes, as an administrator would.
   */
  readonly application: (name: string, scopes: ReadonlyArray<string>) => Effect.Effect<Application>
  /** Token requests seen by the emulator. */
  readonly tokenRequests: Effect.Effect<number | undefined>
  /** Revokes the live tokens of every application, as an administrator may. */
  readonly revokeTokens: Effect.Effect<boolean>
}>()("examples/Target") {}

/** The emulator in context, served on loopback ports. */
export const layerFromEmulator: Layer.Layer<Target, never, FakeLucca.FakeLucca | FakeLuccaServer.FakeLuccaServer> =
  Layer.effect(
    Target,
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const server = yield* FakeLuccaServer.FakeLuccaServer
      return {
        description: `the local Lucca emulator at ${server.url}`,
        mode: "emulator" as const,
        application: (name: string, scopes: ReadonlyArray<string>) =>
          fake.registerApplication({ name, scopes }).pipe(
            Effect.orDie,
            Effect.map((app): Application => ({
              clientId: app.clientId,
              clientSecret: app.clientSecret,
              accountUrl: server.url,
              tokenUrl: server.tokenUrl
            }))
          ),
        tokenRequests: Effect.map(fake.stats, (stats) => stats.token.issued),
        revokeTokens: Effect.as(fake.revokeTokens(), true)
      }
    })
  )

/** A `LuccaClient` for one use case of the target, with its own client application. */
export const client = (
  name: string,
  scopes: ReadonlyArray<string>
): Layer.Layer<LuccaClient.LuccaClient, never, Target> =>
  Layer.unwrap(
    Effect.map(Target, (target) =>
      Layer.unwrap(
        Effect.map(target.application(name, scopes), (app) => NodeLucca.layer({ ...app, scopes }))
      ).pipe(Layer.orDie))
  )
