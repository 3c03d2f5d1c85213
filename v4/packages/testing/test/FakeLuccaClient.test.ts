import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as FakeLucca from "../src/FakeLucca.js"
import { api, credentials, execute, get, getToken, send, tokenRequest, withFake } from "./utils.js"

describe("FakeLuccaClient", () => {
  it.effect("fails requests to any other host with a TransportError naming the host", () =>
    Effect.gen(function*() {
      for (const url of ["https://evil.example/lucca-api/employees", "http://example.ilucca.net/lucca-api/employees"]) {
        const error = yield* Effect.flip(execute(HttpClientRequest.get(url)))
        assert.strictEqual(error._tag, "HttpClientError")
        assert.strictEqual(error.reason._tag, "TransportError")
        assert.include(error.message, new URL(url).host)
      }
    }).pipe(withFake()))

  it.effect("serves the token endpoint only on the token host, and the API only on account hosts", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const onTokenHost = yield* get("https://accounts.world.luccasoftware.com/lucca-api/employees", token)
      assert.strictEqual(onTokenHost.status, 404)
      const onAccountHost = yield* send(
        HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/connect/token`).pipe(
          HttpClientRequest.bodyUrlParams(credentials)
        )
      )
      assert.strictEqual(onAccountHost.status, 404)
    }).pipe(withFake()))

  it.effect("answers HEAD like GET, without a body", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { body, headers, status } = yield* send(
        api("/lucca-api/employees/1001", token).pipe(
          HttpClientRequest.setMethod("HEAD")
        )
      )
      assert.strictEqual(status, 200)
      assert.strictEqual(body, null)
      assert.isString(headers.etag)
    }).pipe(withFake()))
})

describe("logging", () => {
  it.effect("logs requests, never a token nor a secret", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const logs: Array<string> = []
      const collect = Logger.make(({ fiber, message }) => {
        logs.push(JSON.stringify({ message, annotations: fiber.getRef(References.CurrentLogAnnotations) }))
      })
      const secrets = yield* Effect.gen(function*() {
        const application = yield* fake.registerApplication({ name: "logged" })
        const secret = Redacted.value(application.clientSecret)
        const token = yield* getToken({ client_id: application.clientId, client_secret: secret })
        yield* get("/lucca-api/employees", token)
        yield* get("/lucca-api/employees", `${token}x`)
        yield* send(tokenRequest({ ...credentials, client_secret: "wrong-secret" }))
        yield* send(
          HttpClientRequest.post(FakeLucca.tokenUrl).pipe(
            HttpClientRequest.basicAuth(FakeLucca.defaultClientId, FakeLucca.defaultClientSecret),
            HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
          )
        )
        return [secret, token, "wrong-secret", FakeLucca.defaultClientSecret]
      }).pipe(
        Effect.provide(Logger.layer([collect])),
        Effect.provideService(References.MinimumLogLevel, "All")
      )

      assert.isAtLeast(logs.length, 5)
      assert.isTrue(logs.some((line) => line.includes("token issued")))
      for (const line of logs) {
        for (const secret of secrets) assert.notInclude(line, secret)
      }
    }).pipe(withFake()))
})
