/**
 * The `BrowserLucca` layers in Node (which has `fetch`), against the emulator on loopback,
 * and the main-thread guard with `window` and `document` stubbed in. The same guard runs
 * in a real page in `Browser.test.ts`.
 */
import { LuccaClient, TokenProvider } from "@effect-lucca/core"
import { BrowserLucca } from "@effect-lucca/platform-browser"
import { FakeLucca } from "@effect-lucca/testing"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as BackendExample from "./examples/backendTokenProvider.js"
import { Employee, serveEmulator } from "./fixtures.js"

/** Runs `effect` with a page's globals in place, as on a main thread. */
const onMainThread = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const globals = globalThis as { window?: unknown; document?: unknown }
      const saved = { window: globals.window, document: globals.document }
      globals.window = globalThis
      globals.document = {}
      return saved
    }),
    () => effect,
    (saved) =>
      Effect.sync(() => {
        const globals = globalThis as { window?: unknown; document?: unknown }
        if (saved.window === undefined) delete globals.window
        else globals.window = saved.window
        if (saved.document === undefined) delete globals.document
        else globals.document = saved.document
      })
  )

const refusal = <A, R>(layer: Layer.Layer<A, ConfigError.ConfigError, R>) =>
  onMainThread(Effect.flip(Effect.scoped(Layer.build(layer))))

const assertRefusal = (error: ConfigError.ConfigError) => {
  assert.isTrue(ConfigError.isInvalidData(error))
  if (!ConfigError.isInvalidData(error)) return
  assert.deepStrictEqual(error.path, ["dangerouslyAllowBrowser"])
  assert.include(error.message, "backend")
  assert.include(error.message, "dangerouslyAllowBrowser: true")
  assert.notInclude(error.message, FakeLucca.defaultClientSecret)
}

/** A loopback server whose every request is answered by `handle`. */
const serveBackend = (handle: (response: Http.ServerResponse) => Promise<void>) =>
  Effect.gen(function*() {
    let calls = 0
    const server = Http.createServer((_, response) => {
      calls++
      handle(response).catch(() => response.writeHead(502).end())
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls }
  })

describe("BrowserLucca", () => {
  it.scoped("layer: a LuccaClient over fetch that pages through the employees", () =>
    Effect.gen(function*() {
      const { fake, options } = yield* serveEmulator
      const employees = yield* Stream.runCollect(LuccaClient.paginate("/lucca-api/employees", Employee)).pipe(
        Effect.provide(BrowserLucca.layer(options(["employees.readonly"])))
      )
      assert.strictEqual(employees.length, (yield* fake.data()).resources.employees.length)
    }))

  it.scoped("the Fetch in context replaces the global fetch", () =>
    Effect.gen(function*() {
      const { options } = yield* serveEmulator
      const seen: Array<string> = []
      const recording: typeof fetch = (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input))
        return fetch(input, init)
      }
      yield* LuccaClient.get("/lucca-api/employees", Schema.Unknown).pipe(
        Effect.provide(
          BrowserLucca.layer(options(["employees.readonly"])).pipe(
            Layer.provide(Layer.succeed(FetchHttpClient.Fetch, recording))
          )
        )
      )
      assert.strictEqual(seen.length, 2)
      assert.match(seen[0], /\/connect\/token$/)
      assert.match(seen[1], /\/lucca-api\/employees/)
    }))

  it.scoped("layerConfig reads the LUCCA_* settings", () =>
    Effect.gen(function*() {
      const { options, server } = yield* serveEmulator
      const provider = ConfigProvider.fromMap(
        new Map([
          ["LUCCA_CLIENT_ID", FakeLucca.defaultClientId],
          ["LUCCA_CLIENT_SECRET", FakeLucca.defaultClientSecret],
          ["LUCCA_SCOPES", "employees.readonly"],
          ["LUCCA_ACCOUNT_URL", server.url],
          ["LUCCA_TOKEN_URL", server.tokenUrl]
        ])
      )
      const page = yield* LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) }))
        .pipe(
          Effect.provide(BrowserLucca.layerConfig(undefined, { rateLimit: options([]).rateLimit })),
          Effect.withConfigProvider(provider)
        )
      assert.isAbove(page.items.length, 0)
    }))

  it.scoped("layerWithTokenProvider: a client over a provider of your own, allowed on a page", () =>
    Effect.gen(function*() {
      const { server } = yield* serveEmulator
      const seen: Array<string | null> = []
      const recording: typeof fetch = (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization"))
        return Promise.resolve(new Response("{}", { status: 200, headers: { "content-type": "application/json" } }))
      }
      const layer = BrowserLucca.layerWithTokenProvider({ accountUrl: server.url, rateLimit: false }).pipe(
        Layer.provide(TokenProvider.layerStatic("from-the-backend")),
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, recording))
      )
      yield* onMainThread(LuccaClient.get("/lucca-api/employees", Schema.Unknown).pipe(Effect.provide(layer)))
      assert.deepStrictEqual(seen, ["Bearer from-the-backend"])
    }))

  it.scoped("the README's page over a backend token endpoint: the page gets tokens, never the secret", () =>
    Effect.gen(function*() {
      const { fake, server } = yield* serveEmulator
      // the application's backend: holds the secret, forwards the token endpoint's answer
      const backend = yield* serveBackend(async (response) => {
        const answer = await fetch(server.tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: FakeLucca.defaultClientId,
            client_secret: FakeLucca.defaultClientSecret,
            scope: "employees.readonly"
          })
        })
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text())
      })
      const layer = BackendExample.layer({ accountUrl: server.url, tokenEndpoint: `${backend.url}/api/lucca-token` })
      const page = yield* onMainThread(
        Effect.gen(function*() {
          const first = yield* LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) }))
          // a revoked token: the provider asks the backend again
          yield* fake.revokeTokens()
          yield* LuccaClient.get("/lucca-api/employees", Schema.Unknown)
          return first
        }).pipe(Effect.provide(layer))
      )
      assert.isAbove(page.items.length, 0)
      assert.strictEqual(backend.calls(), 2)
      assert.strictEqual((yield* fake.stats).token.issued, 2)
    }))

  it.effect("isBrowserMainThread is false in Node and true with a window and a document", () =>
    Effect.gen(function*() {
      assert.isFalse(BrowserLucca.isBrowserMainThread())
      assert.isTrue(yield* onMainThread(Effect.sync(BrowserLucca.isBrowserMainThread)))
    }))

  it.scoped("on a main thread, layer, layerConfig and layerTokenProvider refuse a secret", () =>
    Effect.gen(function*() {
      const { options } = yield* serveEmulator
      const provider = ConfigProvider.fromMap(new Map([["LUCCA_CLIENT_SECRET", FakeLucca.defaultClientSecret]]))
      assertRefusal(yield* refusal(BrowserLucca.layer(options(["employees.readonly"]))))
      assertRefusal(yield* refusal(BrowserLucca.layerTokenProvider(options(["employees.readonly"]))))
      // refused before any setting is read
      assertRefusal(yield* Effect.withConfigProvider(refusal(BrowserLucca.layerConfig()), provider))
    }))

  it.scoped("dangerouslyAllowBrowser: true lets the secret load on a main thread", () =>
    Effect.gen(function*() {
      const { options } = yield* serveEmulator
      const layer = BrowserLucca.layer({ ...options(["employees.readonly"]), dangerouslyAllowBrowser: true })
      const page = yield* onMainThread(
        LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) })).pipe(
          Effect.provide(layer)
        )
      )
      assert.isAbove(page.items.length, 0)
      const token = yield* onMainThread(
        TokenProvider.TokenProvider.pipe(
          Effect.flatMap((provider) => provider.get),
          Effect.provide(
            BrowserLucca.layerTokenProvider({ ...options(["employees.readonly"]), dangerouslyAllowBrowser: true })
          )
        )
      )
      assert.deepStrictEqual(token.scopes, ["employees.readonly"])
    }))
})
