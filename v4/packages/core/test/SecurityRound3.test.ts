/**
 * Issue 18 (the third security review): the core's findings, ported from the Effect 3
 * line's `packages/core/test/SecurityRound3.test.ts`, each with the behaviour that was
 * observed before its fix. The Node end-to-end tests of finding 1 are in
 * `packages/platform-node/test/OneShotBodies.test.ts`.
 */
import { AccessToken, LuccaClient, LuccaError, TokenProvider, TokenStore } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { accountUrl, bearer, credentials, json, makeFake, problem, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl, rateLimit: false as const }

describe("finding 1: only a body known to be re-sendable is sent again", () => {
  it.effect("raw ArrayBuffer, Blob, URLSearchParams and FormData bodies are retried after a 401; other raw values are not", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      // each round, the first request is refused and its retry accepted
      let refuse = true
      fake.state.onApi = () => {
        const response = refuse ? problem(401, "Unauthorized") : json(201, {})
        refuse = false
        return Effect.succeed(response)
      }
      const form = new FormData()
      form.set("name", "a file")
      const send = (body: unknown) => {
        refuse = true
        fake.state.apiRequests.length = 0
        return client.execute(
          HttpClientRequest.post("/lucca-api/files").pipe(HttpClientRequest.setBody(HttpBody.raw(body)))
        ).pipe(Effect.result)
      }
      for (const body of [new ArrayBuffer(4), new Blob(["data"]), new URLSearchParams({ a: "1" }), form]) {
        const result = yield* send(body)
        assert.isTrue(Result.isSuccess(result) && result.success.status === 201)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }
      // an async iterable, an object whose reading is unknown: sent once, never again
      const iterable = (async function*() {
        yield new TextEncoder().encode("data")
      })()
      for (const body of [iterable, { read: () => "data" }]) {
        const result = yield* send(body)
        assert.isTrue(Result.isFailure(result) && result.failure._tag === "Unauthorized")
        assert.strictEqual(fake.state.apiRequests.length, 1)
      }
    }))
})

describe("finding 5: a 401 on a body that cannot be sent twice still drops the refused token", () => {
  it.effect("three stream uploads after a revocation: the first fails, the next two go out with a new token", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      // token 1 is revoked
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(201, {}))
      const upload = client.execute(
        HttpClientRequest.post("/lucca-api/files").pipe(
          HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("data")))
        )
      ).pipe(Effect.result)
      const first = yield* upload
      assert.isTrue(
        Result.isFailure(first) && first.failure instanceof LuccaError.Unauthorized && !first.failure.retried &&
          first.failure.notRetried === "OneShotBody"
      )
      const rest = [yield* upload, yield* upload]
      assert.isTrue(rest.every((result) => Result.isSuccess(result) && result.success.status === 201))
      assert.deepStrictEqual(fake.state.apiRequests.slice(1).map(bearer), [tokenFor(1), tokenFor(2), tokenFor(2)])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))
})

/** A shared store that keeps the last token it was given and ignores `invalidate`. */
const storeIgnoringInvalidate = () => {
  const state = { stored: undefined as AccessToken.AccessToken | undefined, invalidations: 0 }
  const service: TokenStore.Service = {
    forClient: () =>
      Effect.succeed({
        get: Effect.sync(() => Option.fromNullishOr(state.stored)),
        set: (token) => Effect.sync(() => void (state.stored = token)),
        invalidate: () => Effect.sync(() => void state.invalidations++),
        acquire: Effect.succeed({ _tag: "Acquired", release: Effect.void }),
        held: Effect.succeed(false)
      })
  }
  return { state, service }
}

describe("finding 2: a refused token is never used again, whatever the store returns", () => {
  it.effect("a TokenStore whose invalidate does nothing: the retry after a 401 gets a new token", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const store = storeIgnoringInvalidate()
      const client = yield* LuccaClient.make(options).pipe(
        Effect.provide(fake.layer),
        Effect.provideService(TokenStore.TokenStore, store.service)
      )
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      // token 1 is revoked; the store still hands it out
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(200, {}))
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      assert.strictEqual(response.status, 200)
      // and the requests after it too
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), [tokenFor(1), tokenFor(1), tokenFor(2), tokenFor(2)])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
      assert.strictEqual(store.state.invalidations, 1)
    }))

  it.effect("a provider that can only give the refused token again: not re-sent, and the error says so", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized"))
      const client = yield* LuccaClient.make({
        tokenProvider: TokenProvider.makeStatic("static-token"),
        accountUrl,
        rateLimit: false
      }).pipe(Effect.provide(fake.layer))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.strictEqual(fake.state.apiRequests.length, 1)
      assert.instanceOf(error, LuccaError.Unauthorized)
      if (!(error instanceof LuccaError.Unauthorized)) return
      assert.isFalse(error.retried)
      assert.strictEqual(error.notRetried, "SameToken")
      assert.notInclude(error.message, "fresh token")
      assert.include(error.message, "no token but the refused one")
    }))
})

describe("finding 6: TokenProvider.authenticate sends no token over plain http to a remote host", () => {
  it.effect("origin http://example.ilucca.net: every request fails with LuccaClient's ConfigError, and nothing is sent", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = fake.client.pipe(
        TokenProvider.authenticate(TokenProvider.makeStatic("my-token"), { origin: "http://example.ilucca.net" })
      )
      const error = yield* Effect.flip(client.get("http://example.ilucca.net/lucca-api/employees"))
      assert.deepStrictEqual(fake.state.apiRequests, [])
      assert.instanceOf(error, Config.ConfigError)
      // the same rule, and the same words, as LuccaClient's accountUrl
      const refused = yield* Effect.flip(
        LuccaClient.make({ ...options, accountUrl: "http://example.ilucca.net" }).pipe(Effect.provide(fake.layer))
      )
      assert.strictEqual(String(error), String(refused).replace("accountUrl", "origin"))
      assert.include(String(error), "origin")
      assert.include(String(error), "must use https")
    }))

  it.effect("plain http stays accepted on loopback, for local emulation", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = fake.client.pipe(
        TokenProvider.authenticate(TokenProvider.makeStatic("my-token"), { origin: "http://127.0.0.1:8080" })
      )
      const response = yield* client.get("http://127.0.0.1:8080/lucca-api/employees")
      assert.strictEqual(response.status, 200)
      assert.strictEqual(bearer(fake.state.apiRequests[0]), "my-token")
    }))
})

describe("finding 8: TokenStore.layerMemory lets expired tokens go", () => {
  it.effect("1,000 released tenants: their tokens are dropped once expired, with nothing read or written after", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      const client = (n: number): TokenStore.Client => ({
        tokenUrl: credentials.tokenUrl,
        clientId: `tenant-${n}`,
        clientSecret: credentials.clientSecret,
        scopes: ["employees.readonly"]
      })
      const now = yield* Clock.currentTimeMillis
      for (let n = 0; n < 1_000; n++) {
        // each tenant's provider stores a token for one minute, then is released
        const scope = yield* Scope.make()
        const forTenant = yield* Scope.provide(store.forClient(client(n)), scope)
        yield* forTenant.set(
          new AccessToken.AccessToken({
            value: Redacted.make(`token-of-tenant-${n}`),
            tokenType: "Bearer",
            scopes: ["employees.readonly"],
            issuedAt: now,
            expiresAt: now + 60_000 + n
          })
        )
        yield* Scope.close(scope, Exit.void)
      }
      assert.strictEqual(yield* store.size, 1_000)
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual(yield* store.size, 1_000)
      yield* TestClock.adjust("32 seconds")
      assert.strictEqual(yield* store.size, 0)
      // and an expired token is never handed out
      const again = yield* store.forClient(client(1))
      assert.isTrue(Option.isNone(yield* again.get))
    }))
})
