/**
 * `TokenProvider.authenticate` on a client of one's own: the 401, 403 and origin behaviour
 * of the Effect 3 line's LuccaClient and Security tests, at the level of the combinator
 * (the account client of the Effect 4 line is built on it).
 */
import { LuccaError, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import { accountUrl, bearer, credentials, json, makeFake, problem, tokenFor } from "./fixtures.js"

/** A provider over the fake token host, and the fake's client authenticated with it; paths resolve on the account. */
const setup = Effect.gen(function*() {
  const fake = makeFake()
  const provider = yield* TokenProvider.make(credentials).pipe(Effect.provide(fake.layer))
  const client = fake.client.pipe(
    TokenProvider.authenticate(provider, { origin: accountUrl }),
    // composed above the step: the token is still the last change to the request
    HttpClient.mapRequest(HttpClientRequest.prependUrl(accountUrl))
  )
  return { fake, provider, client }
})

describe("TokenProvider.authenticate", () => {
  it.effect("sends the provider's token to the account origin", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), [tokenFor(1)])
      // what is handed back carries the request as it was before the token was added
      assert.isUndefined(response.request.headers["authorization"])
      assert.notInclude(JSON.stringify(response), tokenFor(1))
      assert.deepStrictEqual(yield* response.json, { ok: true })
    }))

  it.effect("a 401 invalidates the token and retries once with a fresh one", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(200, { ok: true }))
      const response = yield* client.execute(
        HttpClientRequest.post("/lucca-api/leaves").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 }))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), [tokenFor(1), tokenFor(2)])
      assert.deepStrictEqual(fake.state.apiRequests.map((r) => r.body), ["{\"a\":1}", "{\"a\":1}"])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a second 401 fails with Unauthorized", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized", "please refresh your token"))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.instanceOf(error, LuccaError.Unauthorized)
      if (error._tag !== "Unauthorized") return
      assert.isTrue(error.retried)
      assert.strictEqual(error.detail, "please refresh your token")
      assert.strictEqual(fake.state.apiRequests.length, 2)
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a request with a stream body is not replayed after a 401", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized"))
      const request = HttpClientRequest.post("/lucca-api/files").pipe(
        HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("data")))
      )
      const error = yield* Effect.flip(client.execute(request))
      assert.instanceOf(error, LuccaError.Unauthorized)
      if (error._tag !== "Unauthorized") return
      assert.isFalse(error.retried)
      assert.strictEqual(fake.state.apiRequests.length, 1)
    }))

  it.effect("100 concurrent 401s on one token cause one new token request", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(200, { ok: true }))
      const responses = yield* Effect.all(
        Array.from({ length: 100 }, () => client.execute(HttpClientRequest.get("/lucca-api/employees"))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(responses.every((r) => r.status === 200))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a 403 fails with Forbidden, explains the missing scope and is not retried", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden", "Insufficient scope"))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/leaves?limit=2")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.strictEqual(error.method, "GET")
      assert.strictEqual(error.url, "https://example.ilucca.net/lucca-api/leaves")
      assert.deepStrictEqual(error.grantedScopes, ["employees.readonly", "departments.readonly"])
      assert.strictEqual(error.suggestedScope, "leaves.readonly")
      assert.strictEqual(error.title, "Forbidden")
      assert.strictEqual(error.detail, "Insufficient scope")
      assert.include(error.message, "https://example.ilucca.net/identity/admin/integration-keys")
      assert.include(error.message, "leaves.readonly")
      assert.strictEqual(fake.state.apiRequests.length, 1)
      assert.strictEqual(fake.state.tokenRequests.length, 1)
    }))

  it.effect("a 403 on an operation of Lucca's description names every scope it accepts", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden"))
      // professions are read with the job-qualifications scopes, not a "professions" scope
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/professions/89")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.deepStrictEqual(error.acceptedScopes, ["job-qualifications.readonly", "job-qualifications.readwrite"])
      assert.deepStrictEqual(error.grantedAcceptedScopes, [])
      assert.strictEqual(error.suggestedScope, "job-qualifications.readonly")
      assert.include(error.message, "accepts job-qualifications.readonly or job-qualifications.readwrite")
      assert.include(error.message, "has none of them")
    }))

  it.effect("a 403 although the token holds an accepted scope says the refusal is about something else", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden"))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/employees/1")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.deepStrictEqual(error.grantedAcceptedScopes, ["employees.readonly"])
      assert.include(error.message, "although the token holds employees.readonly")
      assert.notInclude(error.message, "has none of them")
    }))

  it.effect("other statuses are returned as responses", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(404, "Not Found"))
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees/nope"))
      assert.strictEqual(response.status, 404)
    }))

  it.effect("refuses to send the token to another origin, however the URL is written", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      const client = fake.client.pipe(TokenProvider.authenticate(provider, { origin: accountUrl }))
      for (
        const url of [
          "https://evil.example.com/steal",
          "//evil.example.com/steal",
          "/lucca-api/employees",
          "http://example.ilucca.net/lucca-api/employees"
        ]
      ) {
        const error = yield* Effect.flip(client.execute(HttpClientRequest.get(url)))
        assert.instanceOf(error, LuccaError.ForeignOriginError, url)
      }
      assert.strictEqual(fake.state.apiRequests.length, 0)
      assert.strictEqual(fake.state.tokenRequests.length, 0)
    }))

  it.effect("a redirect followed by a wrapper is refused, not sent elsewhere with the token", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = (request) =>
        Effect.succeed(
          request.url.origin === accountUrl
            ? new Response(null, { status: 302, headers: { location: "https://evil.example/collect" } })
            : json(200, { collected: true })
        )
      const client = fake.client.pipe(
        TokenProvider.authenticate(TokenProvider.makeStatic("my-token"), { origin: accountUrl }),
        HttpClient.followRedirects()
      )
      const error = yield* Effect.flip(client.get(`${accountUrl}/lucca-api/employees`))
      assert.strictEqual(error._tag, "ForeignOriginError")
      assert.deepStrictEqual(fake.state.apiRequests.map((r) => r.url.origin), [accountUrl])
      assert.strictEqual(fake.state.apiRequests[0].headers["authorization"], "Bearer my-token")
    }))

  it.effect("a transport failure whose cause quotes the token does not carry it to the caller", () =>
    Effect.gen(function*() {
      const token = "a-token-quoted-by-the-platform"
      const failing = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause: new TypeError(`Headers.append: "Bearer ${token}" is an invalid header value.`)
            })
          })
        )
      )
      const client = failing.pipe(TokenProvider.authenticate(TokenProvider.makeStatic(token), { origin: accountUrl }))
      const exit = yield* Effect.exit(client.get(`${accountUrl}/lucca-api/employees`))
      assert.isTrue(Exit.isFailure(exit))
      if (!Exit.isFailure(exit)) return
      const error = exit.cause.reasons[0]
      assert.strictEqual(error._tag, "Fail")
      if (error._tag !== "Fail") return
      assert.strictEqual((error.error as HttpClientError.HttpClientError).reason._tag, "TransportError")
      for (const text of [String(error.error), JSON.stringify(error.error), (error.error as Error).stack ?? ""]) {
        assert.notInclude(text, token)
      }
      const reason = (error.error as HttpClientError.HttpClientError).reason
      assert.notInclude(String((reason.cause as Error).message), token)
      assert.isUndefined(reason.request.headers["authorization"])
    }))
})
