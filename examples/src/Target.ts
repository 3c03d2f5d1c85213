/**
 * Where the examples run: a Lucca emulator started in-process on a loopback port (the
 * default), or a real Lucca account when `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET` and
 * `LUCCA_ACCOUNT_URL` are set (optionally `LUCCA_TOKEN_URL`).
 */
import type { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { fileURLToPath } from "node:url"

/** What a program needs to build a `LuccaClient`. */
export type Application = Omit<LuccaClient.Options, "scopes">

export class Target extends Context.Tag("examples/Target")<Target, {
  /** Where requests go, for the summary. */
  readonly description: string
  readonly mode: "emulator" | "lucca"
  /**
   * A client application for one use case. On the emulator, it is declared with exactly
   * these scopes, as an administrator would; on a real account, the configured one is used.
   */
  readonly application: (name: string, scopes: ReadonlyArray<string>) => Effect.Effect<Application>
  /** Token requests seen by the emulator; `undefined` against a real account. */
  readonly tokenRequests: Effect.Effect<number | undefined>
  /**
   * Revokes the live tokens of every application, as an administrator may, to show a 401
   * recovery; `false` against a real account, where the examples never do it.
   */
  readonly revokeTokens: Effect.Effect<boolean>
}>() {}

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
        application: (name, scopes) =>
          fake.registerApplication({ name, scopes }).pipe(
            Effect.orDie,
            Effect.map((app) => ({
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

/** A new emulator with Lucca's rate limit on, served on loopback ports. */
export const layerEmulator: Layer.Layer<Target> = layerFromEmulator.pipe(
  Layer.provide(FakeLuccaServer.layerFake({ fake: { rateLimit: FakeLucca.luccaRateLimit } })),
  Layer.orDie
)

/** A real account, from the environment. */
export const layerLucca = (config: {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly accountUrl: string
  readonly tokenUrl: string | undefined
}): Layer.Layer<Target> =>
  Layer.succeed(Target, {
    description: `the Lucca account ${config.accountUrl}`,
    mode: "lucca",
    application: () =>
      Effect.succeed({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        accountUrl: config.accountUrl,
        ...(config.tokenUrl === undefined ? {} : { tokenUrl: config.tokenUrl })
      }),
    tokenRequests: Effect.succeed(undefined),
    revokeTokens: Effect.succeed(false)
  })

/** The real account when its variables are set, the emulator otherwise. */
export const layer: Layer.Layer<Target> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const real = yield* Config.all({
      clientId: Config.string("LUCCA_CLIENT_ID"),
      clientSecret: Config.redacted("LUCCA_CLIENT_SECRET"),
      accountUrl: Config.string("LUCCA_ACCOUNT_URL"),
      tokenUrl: Config.option(Config.string("LUCCA_TOKEN_URL"))
    }).pipe(Config.option)
    return Option.match(real, {
      onNone: () => layerEmulator,
      onSome: (config) => layerLucca({ ...config, tokenUrl: Option.getOrUndefined(config.tokenUrl) })
    })
  }).pipe(Effect.orDie)
)

/** A `LuccaClient` for one use case of the target, with its own client application. */
export const client = (
  name: string,
  scopes: ReadonlyArray<string>
): Layer.Layer<LuccaClient.LuccaClient, never, Target> =>
  Layer.unwrapEffect(
    Effect.map(Target, (target) =>
      Layer.unwrapEffect(
        Effect.map(target.application(name, scopes), (app) => NodeLucca.layer({ ...app, scopes }))
      ).pipe(Layer.orDie))
  )

/** Runs an example when its file is executed directly (`tsx src/employees.ts`). */
export const runIfMain = <A, E>(url: string, program: Effect.Effect<A, E, Target>): void => {
  if (process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1]) {
    program.pipe(Effect.provide(layer), NodeRuntime.runMain)
  }
}
