/**
 * What the Node-side tests share: the schemas of the served resources and a fresh emulator
 * on loopback with a `LuccaClient` over `BrowserLucca` (fetch) for it.
 */
import { type LuccaClient, LuccaError } from "@effect-lucca/core"
import type { BrowserLucca } from "@effect-lucca/platform-browser"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

export const Employee = Schema.Struct({
  id: Schema.String,
  givenName: Schema.String,
  applicableJobPosition: Schema.Struct({ id: Schema.String })
})

/** A webhook endpoint, the resource the tests create. */
export const Endpoint = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  webhookUrl: Schema.String
})

export const Page = Schema.Struct({ items: Schema.Array(Employee) })

/** The emulator on loopback, and the options of a client for it. */
export const serveEmulator = Effect.gen(function*() {
  const context = yield* Layer.build(FakeLuccaServer.layerFake())
  const fake = yield* Effect.provide(FakeLucca.FakeLucca, context)
  const server = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, context)
  const options = (scopes: ReadonlyArray<string>): BrowserLucca.Options => ({
    clientId: FakeLucca.defaultClientId,
    clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
    scopes,
    accountUrl: server.url,
    tokenUrl: server.tokenUrl,
    rateLimit: false
  })
  return { fake, server, options }
})

/** Whether `error` is the typed `Forbidden` of the core. */
export const isForbidden = (error: unknown): error is LuccaError.Forbidden => error instanceof LuccaError.Forbidden

/** The type of the options a client is built from, for tests that tweak one. */
export type ClientOptions = LuccaClient.Options
