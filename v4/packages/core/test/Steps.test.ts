/**
 * The public steps `LuccaClient.make` is a pipe of, each applied on its own to a client of
 * the test's, as a user assembling a client of their own would.
 */
import {
  LuccaAccount,
  LuccaClient,
  LuccaDeprecation,
  LuccaError,
  LuccaPacing,
  LuccaRetry,
  TokenProvider
} from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Logger from "effect/Logger"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { accountUrl, bearer, eventually, json, makeFake, problem } from "./fixtures.js"

const url = (path: string) => `${accountUrl}${path}`

const ownBudget = Effect.provide(RateLimiter.make, RateLimiter.layerStoreMemory)

describe("LuccaPacing", () => {
  it.effect("pace: a burst goes at once, the next request waits for the refill", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const budget = yield* ownBudget
      const client = fake.client.pipe(
        LuccaPacing.pace({ origin: accountUrl, requests: 4, per: "1 minute", burst: 2, budget })
      )
      const batch = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 3 }, () => client.get(url("/lucca-api/employees"))), {
          concurrency: "unbounded"
        })
      )
      yield* eventually(() => fake.state.apiRequests.length >= 2)
      yield* TestClock.adjust(0)
      assert.strictEqual(fake.state.apiRequests.length, 2)
      // 2 tokens refill every (4 - 2) a minute: one turn a little over 30 s later
      yield* TestClock.adjust("61 seconds")
      yield* Fiber.join(batch)
      assert.strictEqual(fake.state.apiRequests.length, 3)
    }))

  it.effect("pace: a request takes its turn only once awaitToken is done", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const budget = yield* ownBudget
      const order: Array<string> = []
      const awaitToken = Effect.sync(() => order.push("token"))
      fake.state.onApi = () => Effect.sync(() => (order.push("sent"), json(200, {})))
      const client = fake.client.pipe(LuccaPacing.pace({ origin: accountUrl, budget, awaitToken }))
      yield* client.get(url("/lucca-api/employees"))
      assert.deepStrictEqual(order, ["token", "sent"])
    }))

  it.effect("pace: without a budget, each request draws on the RateBudget in its context", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const budget = yield* ownBudget
      const client = fake.client.pipe(LuccaPacing.pace({ origin: accountUrl, requests: 4, burst: 2 }))
      const send = client.get(url("/lucca-api/employees")).pipe(
        Effect.provideService(LuccaPacing.RateBudget, budget)
      )
      yield* send
      yield* send
      // the third waits for the budget it was given, now empty
      const third = yield* Effect.forkChild(send)
      yield* TestClock.adjust(0)
      assert.strictEqual(fake.state.apiRequests.length, 2)
      yield* TestClock.adjust("61 seconds")
      yield* Fiber.join(third)
      assert.strictEqual(fake.state.apiRequests.length, 3)
    }))

  it.effect("RateBudget: by default the process-wide budget, the same for every reader", () =>
    Effect.gen(function*() {
      const a = yield* LuccaPacing.RateBudget
      const b = yield* LuccaPacing.RateBudget
      assert.strictEqual(a, b)
      const own = yield* ownBudget
      assert.strictEqual(yield* Effect.provideService(LuccaPacing.RateBudget, own)(LuccaPacing.RateBudget), own)
    }))
})

describe("LuccaRetry", () => {
  it.effect("retry: a 503 on a GET is retried, and the answer after it returned", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () =>
        Effect.succeed(fake.state.apiRequests.length === 1 ? problem(503, "Busy") : json(200, { ok: true }))
      const client = LuccaRetry.retry(fake.client, { times: 2 })
      const response = yield* Effect.forkChild(client.get(url("/lucca-api/employees")))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(response)).status, 200)
      assert.strictEqual(fake.state.apiRequests.length, 2)
    }))

  it.effect("retry: times counts every retry, answers and dropped connections alike", () =>
    Effect.gen(function*() {
      let attempts = 0
      const flaky = HttpClient.make((request) => {
        attempts++
        return attempts % 2 === 1
          ? Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({ request, cause: new Error("reset") })
            })
          )
          : Effect.succeed(HttpClientResponse.fromWeb(request, problem(503, "Busy")))
      })
      const client = flaky.pipe(LuccaRetry.retry({ times: 3 }))
      const outcome = yield* Effect.forkChild(Effect.result(client.get(url("/lucca-api/employees"))))
      yield* TestClock.adjust("1 minute")
      const last = yield* Fiber.join(outcome)
      // the first attempt and 3 retries: failure, 503, failure, 503 (returned, its body kept)
      assert.strictEqual(attempts, 4)
      assert.isTrue(Result.isSuccess(last) && last.success.status === 503)
      if (Result.isSuccess(last)) assert.include(yield* last.success.text, "Busy")
    }))

  it.effect("retry: a POST is not repeated after a 503, a 500 on a GET is", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = (request) =>
        Effect.succeed(
          fake.state.apiRequests.length === 1 ? problem(request.method === "POST" ? 503 : 500, "Oops") : json(200, {})
        )
      const strict = fake.client.pipe(LuccaRetry.retry())
      assert.strictEqual((yield* strict.post(url("/lucca-api/leaves"))).status, 503)
      assert.strictEqual(fake.state.apiRequests.length, 1)
      fake.state.apiRequests.length = 0
      const get = yield* Effect.forkChild(strict.get(url("/lucca-api/employees")))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(get)).status, 200)
      assert.strictEqual(fake.state.apiRequests.length, 2)
    }))

  it.effect("retry: a POST retried after a 429 stops at the 502 that follows (it may have been processed)", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const answers = [problem(429, "Slow down"), problem(502, "Bad gateway"), json(201, {})]
      fake.state.onApi = () => Effect.succeed(answers[fake.state.apiRequests.length - 1] ?? json(201, {}))
      const client = fake.client.pipe(LuccaRetry.retry({ times: 5 }))
      const post = yield* Effect.forkChild(client.post(url("/lucca-api/webhook-endpoints")))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* Fiber.join(post)).status, 502)
      assert.strictEqual(fake.state.apiRequests.length, 2)
    }))

  it.effect("retry: a failure that is not transient ends the retries as it is", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(problem(503, "Busy"))
      let attempts = 0
      // a 503, then a failure of a step below (a refused token, say), which is not retried
      const client = HttpClient.transform(
        fake.client,
        (effect, request): Effect.Effect<
          HttpClientResponse.HttpClientResponse,
          HttpClientError.HttpClientError | LuccaError.Unauthorized
        > =>
          ++attempts === 2
            ? Effect.fail(new LuccaError.Unauthorized({ method: request.method, url: request.url, retried: true }))
            : effect
      ).pipe(LuccaRetry.retry({ times: 5 }))
      const outcome = yield* Effect.forkChild(Effect.flip(client.get(url("/lucca-api/employees"))))
      yield* TestClock.adjust("1 minute")
      assert.instanceOf(yield* Fiber.join(outcome), LuccaError.Unauthorized)
      assert.strictEqual(attempts, 2)
    }))
})

describe("LuccaRetry.defaultBackoff", () => {
  it.effect("from 250 ms, doubling, each delay capped at 5 s, jittered", () =>
    Effect.gen(function*() {
      const step = yield* Schedule.toStep(LuccaRetry.defaultBackoff)
      const expected = [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000]
      let now = 0
      for (const [i, millis] of expected.entries()) {
        const [, delay] = yield* step(now, undefined)
        now += Duration.toMillis(delay)
        // `Schedule.jittered` scales each delay by a factor between 0.8 and 1.2
        assert.isAtLeast(Duration.toMillis(delay), millis * 0.8, `delay ${i}`)
        assert.isAtMost(Duration.toMillis(delay), millis * 1.2, `delay ${i}`)
      }
    }))
})

describe("LuccaDeprecation", () => {
  it.effect("warnOnDeprecation: one warning per endpoint, with the API version", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(json(200, {}, { deprecation: "@1735689600" }))
      const warnings: Array<{ message: string; apiVersion: unknown }> = []
      const client = LuccaDeprecation.warnOnDeprecation(fake.client, "2024-11-01")
      yield* Effect.forEach(
        ["/lucca-api/employees/1", "/lucca-api/employees/2", "/lucca-api/departments"],
        (path) => client.get(url(path))
      ).pipe(
        Effect.provide(Logger.layer([Logger.make(({ fiber, message }) =>
          warnings.push({
            message: String(message),
            apiVersion: fiber.getRef(References.CurrentLogAnnotations)["lucca.api_version"]
          })
        )]))
      )
      assert.deepStrictEqual(warnings.map((w) => w.message.includes("/lucca-api/employees/{id}")), [true, false])
      assert.deepStrictEqual(warnings.map((w) => w.apiVersion), ["2024-11-01", "2024-11-01"])
    }))
})

describe("LuccaAccount", () => {
  it.effect("resolve: paths on the account, with Api-Version and Accept", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = fake.client.pipe(LuccaAccount.resolve(accountUrl, "2024-11-01"))
      yield* client.get("/lucca-api/employees?limit=1")
      const [sent] = fake.state.apiRequests
      assert.strictEqual(sent.url.href, `${accountUrl}/lucca-api/employees?limit=1`)
      assert.strictEqual(sent.headers["api-version"], "2024-11-01")
      assert.strictEqual(sent.headers["accept"], "application/json")
    }))

  it.effect("resolve: another origin is a ForeignOriginError, and is not sent", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = fake.client.pipe(LuccaAccount.resolve(accountUrl, "2024-11-01"))
      const error = yield* Effect.flip(client.get("//attacker.example/lucca-api/employees"))
      assert.instanceOf(error, LuccaError.ForeignOriginError)
      assert.deepStrictEqual(fake.state.apiRequests, [])
    }))

  it.effect("resolve: an account URL that breaks the rule fails every request with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = fake.client.pipe(LuccaAccount.resolve("http://example.ilucca.net", "2024-11-01"))
      const error = yield* Effect.flip(client.get("/lucca-api/employees"))
      assert.instanceOf(error, Config.ConfigError)
      assert.include(String(error), "accountUrl")
      assert.deepStrictEqual(fake.state.apiRequests, [])
    }))
})

describe("TokenProvider.authenticate", () => {
  it.effect("beforeRetry runs before the retry after a 401, and only then", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () =>
        Effect.succeed(fake.state.apiRequests.length === 2 ? problem(401, "Unauthorized") : json(200, {}))
      let turns = 0
      let n = 0
      const provider = yield* TokenProvider.cached(
        Effect.sync(() => {
          n++
          return TokenProvider.makeStatic(`token-${n}`, { scopes: [] })
        }).pipe(Effect.flatMap((p) => p.get))
      )
      const client = fake.client.pipe(
        TokenProvider.authenticate(provider, { origin: accountUrl, beforeRetry: Effect.sync(() => turns++) })
      )
      yield* client.get(url("/lucca-api/employees"))
      assert.strictEqual(turns, 0)
      yield* client.get(url("/lucca-api/employees"))
      assert.strictEqual(turns, 1)
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), ["token-1", "token-1", "token-2"])
    }))
})

describe("TokenProvider.makeStatic", () => {
  it("a token that is not well-formed text is redacted as written, never a defect", () => {
    const token = "tok\ud800en"
    const provider = TokenProvider.makeStatic(token)
    assert.strictEqual(
      provider.redact(`echo ${token} and ${JSON.stringify(token)}`),
      "echo <redacted> and \"<redacted>\""
    )
  })
})

describe("LuccaClient.fromHttpClient", () => {
  it.effect("the helpers over a client assembled from the steps", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(json(200, { id: "1", name: "Ada" }))
      const provider = TokenProvider.makeStatic("from-my-backend", { scopes: ["employees.readonly"] })
      const httpClient = fake.client.pipe(
        TokenProvider.authenticate(provider, { origin: accountUrl }),
        LuccaPacing.pace({ origin: accountUrl, budget: yield* ownBudget, awaitToken: provider.get }),
        LuccaRetry.retry(),
        LuccaDeprecation.warnOnDeprecation("2024-11-01"),
        LuccaAccount.resolve(accountUrl, "2024-11-01")
      )
      const lucca = LuccaClient.fromHttpClient(httpClient, {
        accountUrl: new URL(accountUrl),
        redact: provider.redact,
        grantedScopes: Effect.map(provider.get, (token) => token.scopes)
      })
      const employee = yield* lucca.get("/lucca-api/employees/1", Schema.Struct({ id: Schema.String }))
      assert.deepStrictEqual(employee, { id: "1" })
      assert.strictEqual(bearer(fake.state.apiRequests[0]), "from-my-backend")
      assert.strictEqual(lucca.apiVersion, "2024-11-01")
      assert.deepStrictEqual(yield* lucca.grantedScopes, ["employees.readonly"])
    }))

  it.effect("a refused account origin fails the helpers with an InvalidUrlError that says why", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const provider = TokenProvider.makeStatic("t")
      const lucca = LuccaClient.fromHttpClient(
        fake.client.pipe(TokenProvider.authenticate(provider, { origin: "http://example.ilucca.net" })),
        { accountUrl: new URL("http://example.ilucca.net"), redact: provider.redact, grantedScopes: Effect.succeed([]) }
      )
      const error = yield* Effect.flip(lucca.get("http://example.ilucca.net/lucca-api/employees", Schema.Unknown))
      assert.instanceOf(error, HttpClientError.HttpClientError)
      if (!(error instanceof HttpClientError.HttpClientError)) return
      assert.strictEqual(error.reason._tag, "InvalidUrlError")
      assert.include(error.reason.description ?? "", "must use https")
      assert.deepStrictEqual(fake.state.apiRequests, [])
    }))
})

describe("LuccaError: one transient rule", () => {
  it("every error class says whether it is transient, and isTransient agrees", () => {
    const request = HttpClientRequest.get(url("/x"))
    const errors = [
      new LuccaError.TokenRequestError({ reason: "Timeout", tokenUrl: "u", transient: true, description: "d" }),
      new LuccaError.OAuthError({ error: "invalid_client", status: 401, tokenUrl: "u" }),
      new LuccaError.InvalidTokenResponse({ field: "access_token", description: "d", status: 200, tokenUrl: "u" }),
      new LuccaError.Unauthorized({ method: "GET", url: "u", retried: true }),
      new LuccaError.Forbidden({ method: "GET", url: "u", grantedScopes: [] }),
      new LuccaError.ApiError({ method: "GET", url: "u", status: 500 }),
      new LuccaError.ApiError({ method: "GET", url: "u", status: 404 }),
      new LuccaError.ResponseDecodeError({ method: "GET", url: "u", status: 200, path: "", description: "d" }),
      new LuccaError.ForeignOriginError({ method: "GET", url: "u", accountOrigin: accountUrl })
    ]
    assert.deepStrictEqual(errors.map((e) => e.transient), [
      true,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false
    ])
    for (const error of errors) assert.strictEqual(LuccaError.isTransient(error), error.transient, String(error))
    // the statuses the request retry repeats are those of the one set
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const response = HttpClientResponse.fromWeb(request, new Response(null, { status }))
      assert.isTrue(LuccaError.transientStatuses.has(status))
      assert.isTrue(LuccaRetry.isRetryableOutcome(response), String(status))
      assert.isTrue(
        LuccaError.isTransient(
          new HttpClientError.HttpClientError({ reason: new HttpClientError.StatusCodeError({ request, response }) })
        ),
        String(status)
      )
    }
    assert.isFalse(
      LuccaRetry.isRetryableOutcome(HttpClientResponse.fromWeb(request, new Response(null, { status: 501 })))
    )
    // an OAuth error is transient by its status only when the status is in the one set
    assert.isTrue(new LuccaError.OAuthError({ error: "invalid_request", status: 503, tokenUrl: "u" }).transient)
    assert.isFalse(new LuccaError.OAuthError({ error: "invalid_request", status: 501, tokenUrl: "u" }).transient)
  })
})

describe("the shape of issue 20: the names are the contract, the same on both lines", () => {
  const names = (module: object) => new Set(Object.keys(module))

  it("LuccaClient's constructors are exactly make, layer, layerConfig and fromHttpClient", () => {
    const client = names(LuccaClient)
    for (const name of ["make", "layer", "layerConfig", "fromHttpClient", "pages", "paginate", "get"]) {
      assert.isTrue(client.has(name), name)
    }
    for (const gone of ["makeWithTokenProvider", "layerWithTokenProvider", "layerWithRateLimiter"]) {
      assert.isFalse(client.has(gone), gone)
    }
    assert.isFalse(names(TokenProvider).has("layerWithTokenStore"))
    for (const name of ["make", "layer", "layerConfig", "authenticate", "makeStatic", "layerStatic", "cached"]) {
      assert.isTrue(names(TokenProvider).has(name), name)
    }
  })

  it("each step is a public module of its own, and the duplicates of the transient rule are gone", () => {
    assert.deepStrictEqual([...names(LuccaPacing)].sort(), ["RateBudget", "pace", "turn"])
    assert.deepStrictEqual([...names(LuccaDeprecation)], ["warnOnDeprecation"])
    assert.deepStrictEqual([...names(LuccaAccount)], ["resolve"])
    assert.isTrue(names(LuccaRetry).has("retry"))
    for (const gone of ["isTransientTokenError", "retryableStatuses", "isRetryableStatus"]) {
      assert.isFalse(names(LuccaRetry).has(gone), gone)
    }
    assert.isTrue(names(LuccaError).has("transientStatuses"))
  })
})
