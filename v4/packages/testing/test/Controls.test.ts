import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as FakeLucca from "../src/FakeLucca.js"
import { credentials, execute, get, getToken, send, tokenRequest, withFake } from "./utils.js"

describe("rate limit", () => {
  it.effect("the 51st request in a minute gets 429 with Retry-After; the next window is open again", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      for (let i = 0; i < 50; i++) {
        assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
      }
      const limited = yield* get("/lucca-api/departments", token)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "60")
      assert.strictEqual(limited.headers["content-type"], "application/problem+json")
      assert.strictEqual(limited.body.status, 429)

      yield* TestClock.adjust(Duration.seconds(45))
      const later = yield* get("/lucca-api/departments", token)
      assert.strictEqual(later.status, 429)
      assert.strictEqual(later.headers["retry-after"], "15")

      yield* TestClock.adjust(Duration.seconds(15))
      assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
    }).pipe(withFake({ rateLimit: FakeLucca.luccaRateLimit })))

  it.effect("is per account, counts every API request, but not token requests", () =>
    Effect.gen(function*() {
      const acme = yield* getToken({ client_id: "fake-lucca-client-acme", client_secret: "fake-lucca-secret-acme" })
      const example = yield* getToken()
      assert.strictEqual((yield* get("/lucca-api/employees")).status, 401)
      assert.strictEqual((yield* get("/lucca-api/employees", example)).status, 200)
      assert.strictEqual((yield* get("/lucca-api/employees", example)).status, 429)
      assert.strictEqual((yield* get("https://acme.ilucca.net/lucca-api/employees", acme)).status, 200)
      yield* getToken()
    }).pipe(withFake({ accounts: ["example", "acme"], rateLimit: { requests: 2, window: Duration.seconds(1) } })))

  it.effect("is the account's, shared by every client application on it, as Lucca counts per tenant", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.registerApplication({ name: "payroll", clientId: "payroll", clientSecret: "payroll-secret" })
      const directory = yield* getToken()
      const payroll = yield* getToken({ client_id: "payroll", client_secret: "payroll-secret" })
      for (let i = 0; i < 25; i++) {
        assert.strictEqual((yield* get("/lucca-api/departments", directory)).status, 200)
        assert.strictEqual((yield* get("/lucca-api/departments", payroll)).status, 200)
      }
      // 50 on the account: the 51st is refused, whichever application sends it
      assert.strictEqual((yield* get("/lucca-api/departments", payroll)).status, 429)
      assert.strictEqual((yield* get("/lucca-api/departments", directory)).status, 429)
      yield* TestClock.adjust(Duration.minutes(1))
      assert.strictEqual((yield* get("/lucca-api/departments", payroll)).status, 200)
    }).pipe(withFake({ rateLimit: FakeLucca.luccaRateLimit })))

  it.effect("is off by default in memory, and can be switched and scaled", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      for (let i = 0; i < 60; i++) {
        assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
      }
      yield* fake.setRateLimit({ requests: 3, window: Duration.millis(100) })
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
      const limited = yield* get("/lucca-api/departments", token)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "1")
      yield* TestClock.adjust(Duration.millis(100))
      assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
      yield* fake.setRateLimit(false)
      for (let i = 0; i < 5; i++) assert.strictEqual((yield* get("/lucca-api/departments", token)).status, 200)
    }).pipe(withFake()))
})

describe("faults", () => {
  it.effect("503 problem+json for the next N requests of a target", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* fake.injectFault("api", FakeLucca.Fault.ServiceUnavailable(), 2)
      for (let i = 0; i < 2; i++) {
        const { body, headers, status } = yield* get("/lucca-api/employees", token)
        assert.strictEqual(status, 503)
        assert.strictEqual(headers["content-type"], "application/problem+json")
        assert.strictEqual(body.status, 503)
      }
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)

      yield* fake.injectFault("token", FakeLucca.Fault.ServiceUnavailable())
      assert.strictEqual((yield* send(tokenRequest(credentials))).status, 503)
      assert.strictEqual((yield* send(tokenRequest(credentials))).status, 200)
    }).pipe(withFake()))

  it.effect("408 problem+json, as when Lucca gives up on a request", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* fake.injectFault("api", FakeLucca.Fault.RequestTimeout())
      const { body, status } = yield* get("/lucca-api/employees", token)
      assert.strictEqual(status, 408)
      assert.strictEqual(body.status, 408)
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)
    }).pipe(withFake()))

  it.effect("an HTML 502 page, as from a proxy", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.injectFault("token", FakeLucca.Fault.BadGateway())
      const response = yield* execute(tokenRequest(credentials))
      assert.strictEqual(response.status, 502)
      assert.strictEqual(response.headers["content-type"], "text/html")
      assert.include(yield* response.text, "<h1>502 Bad Gateway</h1>")
    }).pipe(withFake()))

  it.effect("a dropped connection fails the in-memory request with a Transport RequestError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* fake.injectFault("api", FakeLucca.Fault.Disconnect())
      const error = yield* Effect.flip(execute(
        HttpClientRequest.get(`${FakeLucca.defaultAccountUrl}/lucca-api/events`)
          .pipe(HttpClientRequest.bearerToken(token))
      ))
      assert.strictEqual(error._tag, "HttpClientError")
      assert.strictEqual(error.reason._tag, "TransportError")
      assert.strictEqual((yield* get("/lucca-api/events", token)).status, 200)
      const stats = yield* fake.stats
      assert.strictEqual(stats.api.dropped, 1)
    }).pipe(withFake()))

  it.effect("a delay, measured with the Clock", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.seconds(6) }))
      const fiber = yield* Effect.forkChild(send(tokenRequest(credentials)))
      yield* TestClock.adjust(Duration.seconds(5))
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(Duration.seconds(1))
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }).pipe(withFake()))

  it.effect("clearFaults drops pending faults", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.injectFault("token", FakeLucca.Fault.ServiceUnavailable(), 5)
      yield* fake.clearFaults
      assert.strictEqual((yield* send(tokenRequest(credentials))).status, 200)
    }).pipe(withFake()))
})

describe("latency", () => {
  it.effect("is added to every request with Effect.sleep", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const fiber = yield* Effect.forkChild(getToken())
      yield* TestClock.adjust(Duration.millis(199))
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.join(fiber)

      yield* fake.setLatency(Duration.zero)
      yield* getToken()
    }).pipe(withFake({ latency: Duration.millis(200) })))
})

describe("stats", () => {
  it.effect("counts token requests by outcome and API requests by status, until reset", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* send(tokenRequest({ ...credentials, client_secret: "wrong" }))
      yield* send(tokenRequest({ ...credentials, grant_type: "password" }))
      yield* send(tokenRequest({ ...credentials, scope: "payroll.readonly" }))
      yield* send(HttpClientRequest.post(FakeLucca.tokenUrl).pipe(HttpClientRequest.bodyJsonUnsafe(credentials)))
      yield* get("/lucca-api/employees", token)
      yield* get("/lucca-api/employees/1001", token)
      yield* get("/lucca-api/employees")
      yield* get("/lucca-api/employees/0", token)

      assert.deepStrictEqual(yield* fake.stats, {
        token: {
          total: 5,
          issued: 1,
          invalidRequest: 1,
          invalidClient: 1,
          invalidScope: 1,
          unsupportedGrantType: 1,
          faults: 0
        },
        api: { total: 4, byStatus: { "200": 2, "401": 1, "404": 1 }, dropped: 0 }
      })
      yield* fake.resetStats
      const reset = yield* fake.stats
      assert.strictEqual(reset.token.total, 0)
      assert.strictEqual(reset.api.total, 0)
      assert.deepStrictEqual(reset.api.byStatus, {})
    }).pipe(withFake()))
})

describe("issued tokens", () => {
  it.effect("lists every token issued, revoked ones included, for hygiene checks", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const first = yield* getToken()
      const second = yield* getToken()
      yield* fake.revokeTokens()
      const issued = (yield* fake.issuedTokens).map(Redacted.value)
      assert.deepStrictEqual(issued, [first, second])
    }).pipe(withFake()))
})
