/**
 * What the Node-side tests share: the schemas of the served resources and a fresh emulator
 * on loopback with the options of a `BrowserLucca` (fetch) client for it.
 */
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
