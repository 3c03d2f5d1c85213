/**
 * The `BrowserLucca` layers in Node (which has `fetch`), against the v4 emulator on
 * loopback, and the main-thread guard with `window` and `document` stubbed in. The same
 * guard runs in a real page in `Browser.test.ts`.
 */
import { LuccaClient, TokenProvider } from "@effect-lucca/core"
import { BrowserLucca } from "@effect-lucca/platform-browser"
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
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

const refusal = <A, R>(layer: Layer.Layer<A, Config.ConfigError, R>) =>
  onMainThread(Effect.flip(Effect.scoped(Layer.build(layer))))

const assertRefusal = (error: Config.ConfigError) => {
  assert.instanceOf(error, Config.ConfigError)
  const cause = error.cause
  assert.strictEqual(cause._tag, "SchemaError")
  if (cause._tag !== "SchemaError") return
  assert.strictEqual(cause.issue._tag, "Pointer")
  if (cause.issue._tag === "Pointer") assert.deepStrictEqual(cause.issue.path, ["dangerouslyAllowBrowser"])
  assert.include(error.message, "backend")
  assert.include(error.message, "dangerouslyAllowBrowser: true")
  assert.notInclude(error.message, FakeLucca.defaultClientSecret)
}

describe("BrowserLucca", () => {
  it.live("layer: a LuccaClient over fetch that pages through the employees", () =>
    Effect.gen(function*() {
      const { fake, options } = yield* serveEmulator
      const employees = yield* Stream.runCollect(LuccaClient.paginate("/lucca-api/employees", Employee)).pipe(
        Effect.provide(BrowserLucca.layer(options(["employees.readonly"])))
      )
      assert.strictEqual(employees.length, (yield* fake.data()).resources.employees.length)
    }))

  it.live("the Fetch in context replaces the global fetch", () =>
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

  it.live("layerConfig reads the LUCCA_* settings", () =>
    Effect.gen(function*() {
      const { server } = yield* serveEmulator
      const provider = ConfigProvider.fromUnknown({
        LUCCA_CLIENT_ID: FakeLucca.defaultClientId,
        LUCCA_CLIENT_SECRET: FakeLucca.defaultClientSecret,
        LUCCA_SCOPES: "employees.readonly",
        LUCCA_ACCOUNT_URL: server.url,
        LUCCA_TOKEN_URL: server.tokenUrl
      })
      const page = yield* LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) }))
        .pipe(
          Effect.provide(
            BrowserLucca.layerConfig(undefined, { rateLimit: false }).pipe(
              Layer.provide(ConfigProvider.layer(provider))
            )
          )
        )
      assert.isAbove(page.items.length, 0)
    }))

  it.live("layerWithTokenProvider: a client over a provider of your own, allowed on a page", () =>
    Effect.gen(function*() {
      const { server } = yield* serveEmulator
      const seen: Array<string | null> = []
      const recording: typeof fetch = (_input, init) => {
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

  it.effect("isBrowserMainThread is false in Node and true with a window and a document", () =>
    Effect.gen(function*() {
      assert.isFalse(BrowserLucca.isBrowserMainThread())
      assert.isTrue(yield* onMainThread(Effect.sync(BrowserLucca.isBrowserMainThread)))
    }))

  it.live("on a main thread, layer, layerConfig and layerTokenProvider refuse a secret, before reading a setting", () =>
    Effect.gen(function*() {
      const { fake, options } = yield* serveEmulator
      assertRefusal(yield* refusal(BrowserLucca.layer(options(["employees.readonly"]))))
      assertRefusal(yield* refusal(BrowserLucca.layerTokenProvider(options(["employees.readonly"]))))
      // refused before any setting is read: an empty provider would otherwise fail on LUCCA_CLIENT_ID
      assertRefusal(
        yield* refusal(
          BrowserLucca.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({}))))
        )
      )
      assert.strictEqual((yield* fake.stats).token.total, 0)
    }))

  it.live("dangerouslyAllowBrowser: true lets the secret load on a main thread", () =>
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
        Effect.flatMap(TokenProvider.TokenProvider, (provider) => provider.get).pipe(
          Effect.provide(
            BrowserLucca.layerTokenProvider({ ...options(["employees.readonly"]), dangerouslyAllowBrowser: true })
          )
        )
      )
      assert.deepStrictEqual(token.scopes, ["employees.readonly"])
    }))
})
