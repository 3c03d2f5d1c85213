import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as FakeLucca from "../src/FakeLucca.js"
import { credentials, get, getToken, send, tokenRequest, withFake } from "./utils.js"

describe("POST /connect/token", () => {
  it.effect("issues an opaque bearer token for 1800 seconds, not to be cached", () =>
    Effect.gen(function*() {
      const { body, headers, status } = yield* send(tokenRequest(credentials))
      assert.strictEqual(status, 200)
      assert.deepStrictEqual(Object.keys(body).sort(), ["access_token", "expires_in", "token_type"])
      assert.strictEqual(body.token_type, "Bearer")
      assert.strictEqual(body.expires_in, 1800)
      assert.isTrue(typeof body.access_token === "string" && body.access_token.length >= 32)
      assert.strictEqual(headers["cache-control"], "no-store")
      assert.strictEqual(headers["content-type"], "application/json")
      const second = yield* send(tokenRequest(credentials))
      assert.notStrictEqual(second.body.access_token, body.access_token)
    }).pipe(withFake()))

  it.effect("accepts HTTP Basic client authentication (RFC 6749 §2.3.1)", () =>
    Effect.gen(function*() {
      const { body, status } = yield* send(
        HttpClientRequest.post(FakeLucca.tokenUrl).pipe(
          HttpClientRequest.basicAuth(FakeLucca.defaultClientId, FakeLucca.defaultClientSecret),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
        )
      )
      assert.strictEqual(status, 200)
      assert.strictEqual(body.token_type, "Bearer")
    }).pipe(withFake()))

  it.effect("refuses a JSON body with 400 invalid_request", () =>
    Effect.gen(function*() {
      const { body, status } = yield* send(
        HttpClientRequest.post(FakeLucca.tokenUrl).pipe(HttpClientRequest.bodyJsonUnsafe(credentials))
      )
      assert.strictEqual(status, 400)
      assert.strictEqual(body.error, "invalid_request")
      assert.isString(body.error_description)
    }).pipe(withFake()))

  it.effect("refuses a missing grant_type with invalid_request and another grant with unsupported_grant_type", () =>
    Effect.gen(function*() {
      const missing = yield* send(tokenRequest({ ...credentials, grant_type: "" }))
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.body.error, "invalid_request")
      const password = yield* send(tokenRequest({ ...credentials, grant_type: "password" }))
      assert.strictEqual(password.status, 400)
      assert.strictEqual(password.body.error, "unsupported_grant_type")
    }).pipe(withFake()))

  it.effect("refuses a repeated parameter with invalid_request (RFC 6749 §3.2)", () =>
    Effect.gen(function*() {
      const { body, status } = yield* send(
        HttpClientRequest.post(FakeLucca.tokenUrl).pipe(
          HttpClientRequest.bodyText(
            "grant_type=client_credentials&client_id=fake-lucca-client&client_id=fake-lucca-client" +
              "&client_secret=fake-lucca-secret",
            "application/x-www-form-urlencoded"
          )
        )
      )
      assert.strictEqual(status, 400)
      assert.strictEqual(body.error, "invalid_request")
    }).pipe(withFake()))

  it.effect("answers a GET with 405", () =>
    Effect.gen(function*() {
      const { body, headers, status } = yield* send(HttpClientRequest.get(FakeLucca.tokenUrl))
      assert.strictEqual(status, 405)
      assert.strictEqual(body.error, "invalid_request")
      assert.strictEqual(headers.allow, "POST, OPTIONS")
    }).pipe(withFake()))

  it.effect("refuses a wrong secret, an unknown client and a missing client with 401 invalid_client", () =>
    Effect.gen(function*() {
      for (
        const params of [
          { ...credentials, client_secret: "wrong" },
          { ...credentials, client_id: "nobody" },
          { grant_type: "client_credentials" }
        ]
      ) {
        const { body, headers, status } = yield* send(tokenRequest(params))
        assert.strictEqual(status, 401)
        assert.strictEqual(body.error, "invalid_client")
        assert.isUndefined(headers["www-authenticate"])
      }
      const basic = yield* send(
        HttpClientRequest.post(FakeLucca.tokenUrl).pipe(
          HttpClientRequest.basicAuth(FakeLucca.defaultClientId, "wrong"),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
        )
      )
      assert.strictEqual(basic.status, 401)
      assert.strictEqual(basic.headers["www-authenticate"], "Basic realm=\"Lucca\"")
    }).pipe(withFake()))

  it.effect("refuses a scope the application was not granted with 400 invalid_scope", () =>
    Effect.gen(function*() {
      const { body, status } = yield* send(
        tokenRequest({ ...credentials, scope: "employees.readonly payroll.readonly" })
      )
      assert.strictEqual(status, 400)
      assert.strictEqual(body.error, "invalid_scope")
      assert.include(body.error_description, "payroll.readonly")
    }).pipe(withFake()))

  it.effect("grants all of the application's scopes when none is asked, and only the asked ones otherwise", () =>
    Effect.gen(function*() {
      const all = yield* getToken()
      assert.strictEqual((yield* get("/lucca-api/departments", all)).status, 200)
      const some = yield* getToken({ scope: "employees.readonly  events.readonly" })
      assert.strictEqual((yield* get("/lucca-api/employees", some)).status, 200)
      assert.strictEqual((yield* get("/lucca-api/events", some)).status, 200)
      assert.strictEqual((yield* get("/lucca-api/departments", some)).status, 403)
    }).pipe(withFake()))

  it.effect("refuses a disabled application, and its tokens stop working", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* fake.disable(FakeLucca.defaultClientId)
      const refused = yield* send(tokenRequest(credentials))
      assert.strictEqual(refused.status, 401)
      assert.strictEqual(refused.body.error, "invalid_client")
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 401)
      yield* fake.enable(FakeLucca.defaultClientId)
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)
    }).pipe(withFake()))

  it.effect("regenerating a secret invalidates the old one; issued tokens live on", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      const secret = yield* fake.regenerateSecret(FakeLucca.defaultClientId)
      assert.notStrictEqual(Redacted.value(secret), FakeLucca.defaultClientSecret)
      const old = yield* send(tokenRequest(credentials))
      assert.strictEqual(old.status, 401)
      assert.strictEqual(old.body.error, "invalid_client")
      yield* getToken({ client_secret: Redacted.value(secret) })
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)
    }).pipe(withFake()))

  it.effect("registers more applications with their own scopes", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const application = yield* fake.registerApplication({
        name: "Payroll export",
        contactEmail: "payroll@example.test",
        scopes: ["employees.readonly"]
      })
      assert.strictEqual(application.account, "example")
      assert.strictEqual(String(application.clientSecret), "<redacted>")
      const token = yield* getToken({
        client_id: application.clientId,
        client_secret: Redacted.value(application.clientSecret)
      })
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)
      assert.strictEqual((yield* get("/lucca-api/events", token)).status, 403)
      const duplicate = yield* Effect.flip(
        fake.registerApplication({ name: "again", clientId: application.clientId })
      )
      assert.strictEqual(duplicate.reason, "DuplicateClientId")
      const unknown = yield* Effect.flip(fake.regenerateSecret("nobody"))
      assert.strictEqual(unknown.reason, "UnknownApplication")
    }).pipe(withFake()))
})

describe("token lifetime", () => {
  it.effect("tokens expire by the Clock after 30 minutes", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      yield* TestClock.adjust(Duration.minutes(30).pipe(Duration.subtract(Duration.millis(1))))
      assert.strictEqual((yield* get("/lucca-api/employees", token)).status, 200)
      yield* TestClock.adjust(Duration.millis(1))
      const expired = yield* get("/lucca-api/employees", token)
      assert.strictEqual(expired.status, 401)
      assert.include(expired.body.detail, "expired")
    }).pipe(withFake()))

  it.effect("a lifetime option gives short tokens, and expires_in reflects it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const { body } = yield* send(tokenRequest(credentials))
      assert.strictEqual(body.expires_in, 10)
      yield* TestClock.adjust(Duration.seconds(10))
      assert.strictEqual((yield* get("/lucca-api/employees", body.access_token)).status, 401)
      yield* fake.setTokenLifetime(Duration.minutes(2))
      const longer = yield* send(tokenRequest(credentials))
      assert.strictEqual(longer.body.expires_in, 120)
    }).pipe(withFake({ tokenLifetime: Duration.seconds(10) })))
})

describe("revocation", () => {
  it.effect("revokes one token", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const revoked = yield* getToken()
      const other = yield* getToken()
      assert.isTrue(yield* fake.revokeToken(revoked))
      assert.isFalse(yield* fake.revokeToken(revoked))
      const answer = yield* get("/lucca-api/employees", revoked)
      assert.strictEqual(answer.status, 401)
      assert.include(answer.body.detail, "revoked")
      assert.strictEqual((yield* get("/lucca-api/employees", other)).status, 200)
    }).pipe(withFake()))

  it.effect("revokes the tokens of one application, or all of them", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const second = yield* fake.registerApplication({ name: "second", clientId: "second", clientSecret: "s" })
      const first = yield* getToken()
      const other = yield* getToken({ client_id: second.clientId, client_secret: "s" })
      assert.strictEqual(yield* fake.revokeTokens({ clientId: FakeLucca.defaultClientId }), 1)
      assert.strictEqual((yield* get("/lucca-api/employees", first)).status, 401)
      assert.strictEqual((yield* get("/lucca-api/employees", other)).status, 200)
      yield* getToken()
      assert.strictEqual(yield* fake.revokeTokens(), 2)
      assert.strictEqual((yield* get("/lucca-api/employees", other)).status, 401)
    }).pipe(withFake()))
})

describe("accounts", () => {
  it.effect("a token is only good on the account of its application", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      assert.deepStrictEqual(fake.accounts, [
        { name: "example", url: "https://example.ilucca.net" },
        { name: "acme", url: "https://acme.ilucca-test.ch" }
      ])
      const example = yield* getToken()
      const acme = yield* getToken({ client_id: "fake-lucca-client-acme", client_secret: "fake-lucca-secret-acme" })
      assert.strictEqual((yield* get("https://acme.ilucca-test.ch/lucca-api/employees", acme)).status, 200)
      assert.strictEqual((yield* get("https://acme.ilucca-test.ch/lucca-api/employees", example)).status, 401)
      assert.strictEqual((yield* get("/lucca-api/employees", acme)).status, 401)
    }).pipe(withFake({ accounts: ["example", "https://acme.ilucca-test.ch"] })))
})
