import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as FakeLucca from "../src/FakeLucca.js"
import * as FakeLuccaServer from "../src/FakeLuccaServer.js"

const fetchJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { response, status: response.status, text, body: text === "" ? null : JSON.parse(text) }
  })

const tokenBody = (
  clientId: string = FakeLucca.defaultClientId,
  clientSecret: string = FakeLucca.defaultClientSecret
) => new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret })

const fetchToken = (tokenUrl: string, body = tokenBody()) =>
  Effect.map(fetchJson(tokenUrl, { method: "POST", body }), (answer) => {
    assert.strictEqual(answer.status, 200, answer.text)
    return answer.body.access_token as string
  })

const withServer = (options?: Parameters<typeof FakeLuccaServer.layerFake>[0]) =>
  Effect.provide(FakeLuccaServer.layerFake(options))

describe("FakeLuccaServer", () => {
  it.live("serves the token endpoint and the account API on one loopback port", () =>
    Effect.gen(function*() {
      const server = yield* FakeLuccaServer.FakeLuccaServer
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(server.tokenUrl, `${server.url}/connect/token`)
      const token = yield* fetchToken(server.tokenUrl)

      const first = yield* fetchJson(`${server.url}/lucca-api/employees?limit=60&include=links,totalCount`, {
        headers: { authorization: `Bearer ${token}`, "api-version": "2024-11-01" }
      })
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.response.headers.get("api-version"), "2024-11-01")
      assert.strictEqual(first.body.items[0].url, `${server.url}/lucca-api/employees/${first.body.items[0].id}`)
      assert.isTrue(first.body.links.next.href.startsWith(`${server.url}/lucca-api/employees?`))
      const second = yield* fetchJson(first.body.links.next.href, {
        headers: { authorization: `Bearer ${token}`, "api-version": "2024-11-01" }
      })
      assert.strictEqual(first.body.items.length + second.body.items.length, first.body.totalCount)
      assert.strictEqual(second.body.links.next, null)

      const unauthorized = yield* fetchJson(`${server.url}/lucca-api/employees`, {
        headers: { "api-version": "2024-11-01" }
      })
      assert.strictEqual(unauthorized.status, 401)
      assert.strictEqual(unauthorized.response.headers.get("content-type"), "application/problem+json")
    }).pipe(withServer()))

  it.live("answers CORS preflights", () =>
    Effect.gen(function*() {
      const server = yield* FakeLuccaServer.FakeLuccaServer
      const { response, status } = yield* fetchJson(server.tokenUrl, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, traceparent"
        }
      })
      assert.strictEqual(status, 204)
      assert.strictEqual(response.headers.get("access-control-allow-origin"), "http://localhost:5173")
      assert.include(response.headers.get("access-control-allow-headers")!.toLowerCase(), "traceparent")
    }).pipe(withServer()))

  it.live("a Disconnect fault destroys the socket; the next request is served", () =>
    Effect.gen(function*() {
      const server = yield* FakeLuccaServer.FakeLuccaServer
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.injectFault("token", FakeLucca.Fault.Disconnect())
      const dropped = yield* Effect.result(
        Effect.tryPromise(() => fetch(server.tokenUrl, { method: "POST", body: tokenBody() }))
      )
      assert.isTrue(Result.isFailure(dropped))
      yield* fetchToken(server.tokenUrl)
      assert.strictEqual((yield* fake.stats).token.faults, 1)
    }).pipe(withServer()))

  it.live("a BadGateway fault sends an HTML page", () =>
    Effect.gen(function*() {
      const server = yield* FakeLuccaServer.FakeLuccaServer
      const fake = yield* FakeLucca.FakeLucca
      yield* fake.injectFault("api", FakeLucca.Fault.BadGateway())
      const response = yield* Effect.promise(() => fetch(`${server.url}/lucca-api/employees`))
      assert.strictEqual(response.status, 502)
      assert.strictEqual(response.headers.get("content-type"), "text/html")
      assert.include(yield* Effect.promise(() => response.text()), "502 Bad Gateway")
    }).pipe(withServer()))

  it.live("serves one port per account", () =>
    Effect.gen(function*() {
      const server = yield* FakeLuccaServer.FakeLuccaServer
      assert.deepStrictEqual(server.accounts.map((a) => a.name), ["example", "acme"])
      const [example, acme] = server.accounts
      assert.notStrictEqual(example.port, acme.port)
      const token = yield* fetchToken(acme.tokenUrl, tokenBody("fake-lucca-client-acme", "fake-lucca-secret-acme"))
      const headers = { authorization: `Bearer ${token}`, "api-version": "2024-11-01" }
      assert.strictEqual((yield* fetchJson(`${acme.url}/lucca-api/departments`, { headers })).status, 200)
      assert.strictEqual((yield* fetchJson(`${example.url}/lucca-api/departments`, { headers })).status, 401)
    }).pipe(withServer({ fake: { accounts: ["example", "acme"] } })))
})
