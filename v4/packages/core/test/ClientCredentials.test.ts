import { AccessToken, ClientCredentials, LuccaError } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { clientSecret, credentials, json, makeFake, tokenFor } from "./fixtures.js"

const request = (fake: ReturnType<typeof makeFake>) =>
  ClientCredentials.requestToken(credentials).pipe(Effect.provide(fake.layer))

const failWith = (response: Response) =>
  Effect.gen(function*() {
    const fake = makeFake()
    fake.state.onToken = () => Effect.succeed(response)
    return yield* Effect.flip(request(fake))
  })

describe("ClientCredentials", () => {
  it.effect("sends the exact form body and headers of RFC 6749 §4.4.2", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      yield* request(fake)
      assert.strictEqual(fake.state.tokenRequests.length, 1)
      const sent = fake.state.tokenRequests[0]
      assert.strictEqual(sent.method, "POST")
      assert.strictEqual(sent.url.href, "https://accounts.world.luccasoftware.com/connect/token")
      assert.strictEqual(sent.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(sent.headers["accept"], "application/json")
      assert.isUndefined(sent.headers["authorization"])
      assert.strictEqual(
        sent.body,
        `grant_type=client_credentials&client_id=client-id-1&client_secret=${clientSecret}&scope=employees.readonly+departments.readonly`
      )
      const form = new URLSearchParams(sent.body)
      assert.strictEqual(form.get("scope"), "employees.readonly departments.readonly")
    }))

  it.effect("computes expiresAt from the Clock at receipt", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const token = yield* request(makeFake())
      assert.strictEqual(Redacted.value(token.value), tokenFor(1))
      assert.strictEqual(token.issuedAt, 1_000_000)
      assert.strictEqual(token.expiresAt, 1_000_000 + 1_800_000)
      assert.deepStrictEqual(token.scopes, ["employees.readonly", "departments.readonly"])
    }))

  it.effect("assumes 1,800 s when expires_in is absent, and reads granted scopes from `scope`", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onToken = () =>
        Effect.succeed(json(200, { access_token: "abc", token_type: "bearer", scope: "employees.readonly" }))
      const token = yield* request(fake)
      assert.strictEqual(token.expiresAt - token.issuedAt, 1_800_000)
      assert.deepStrictEqual(token.scopes, ["employees.readonly"])
    }))

  describe("options a plain JavaScript caller got wrong fail typed, and nothing is sent", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["no client id", { clientId: undefined }, "clientId must be a non-empty string"],
      ["a blank client id", { clientId: " " }, "clientId must be a non-empty string"],
      ["a secret that is not Redacted", { clientSecret }, "clientSecret must be a Redacted string"],
      ["Redacted.make(undefined)", { clientSecret: Redacted.make(undefined) }, "clientSecret must be a Redacted"],
      ["scopes as a string", { scopes: "employees.readonly" }, "scopes must be an array of strings"],
      // it would leave as U+FFFD: another credential than the one given
      [
        "a secret with a lone surrogate",
        { clientSecret: Redacted.make("s3cr3t\ud800") },
        "clientSecret must be well-formed"
      ],
      ["a client id with a lone surrogate", { clientId: "id\udc00" }, "clientId must be well-formed"]
    ]
    for (const [name, overrides, description] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const fake = makeFake()
          const error = yield* ClientCredentials.requestToken({ ...credentials, ...overrides } as never).pipe(
            Effect.provide(fake.layer),
            Effect.flip
          )
          assert.strictEqual(fake.state.tokenRequests.length, 0)
          assert.instanceOf(error, LuccaError.TokenRequestError)
          if (error._tag !== "TokenRequestError") return
          assert.strictEqual(error.reason, "Configuration")
          assert.isFalse(error.transient)
          assert.include(error.description, description)
          assert.notInclude(error.message, clientSecret)
        }))
    }
  })

  describe("OAuth errors (RFC 6749 §5.2)", () => {
    for (
      const code of [
        "invalid_client",
        "invalid_scope",
        "invalid_request",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_grant"
      ]
    ) {
      it.effect(code, () =>
        Effect.gen(function*() {
          const status = code === "invalid_client" ? 401 : 400
          const error = yield* failWith(
            json(status, { error: code, error_description: `about ${code}`, error_uri: "https://example.com/e" })
          )
          assert.instanceOf(error, LuccaError.OAuthError)
          if (error._tag !== "OAuthError") return
          assert.strictEqual(error.error, code)
          assert.strictEqual(error.errorDescription, `about ${code}`)
          assert.strictEqual(error.errorUri, "https://example.com/e")
          assert.strictEqual(error.status, status)
          assert.isFalse(error.transient)
          assert.include(error.message, code)
        }))
    }

    it("a description that ends its own sentence gets no second period", () => {
      const error = new LuccaError.OAuthError({
        error: "invalid_client",
        errorDescription: "Client authentication failed.",
        status: 401,
        tokenUrl: "https://accounts.world.luccasoftware.com/connect/token"
      })
      assert.include(error.message, "(HTTP 401): Client authentication failed. Check the client id")
      assert.notInclude(error.message, "..")
      const bare = new LuccaError.OAuthError({
        error: "invalid_client",
        errorDescription: "bad client",
        status: 401,
        tokenUrl: "u"
      })
      assert.include(bare.message, "bad client. Check")
    })

    it.effect("never repeats the secret a server echoes", () =>
      Effect.gen(function*() {
        const error = yield* failWith(json(401, { error: "invalid_client", error_description: `bad ${clientSecret}` }))
        assert.notInclude(error.message, clientSecret)
        assert.notInclude(JSON.stringify(error), clientSecret)
      }))
  })

  describe("transient failures", () => {
    for (const status of [500, 502, 503, 429, 408]) {
      it.effect(`HTTP ${status} without an OAuth body`, () =>
        Effect.gen(function*() {
          const error = yield* failWith(
            new Response("<html>Bad gateway</html>", {
              status,
              headers: { "content-type": "text/html", "retry-after": "7" }
            })
          )
          assert.instanceOf(error, LuccaError.TokenRequestError)
          if (error._tag !== "TokenRequestError") return
          assert.strictEqual(error.reason, "Status")
          assert.strictEqual(error.status, status)
          assert.isTrue(error.transient)
          assert.strictEqual(error.retryAfterMillis, 7000)
        }))
    }

    it.effect("a 200 whose body is not JSON", () =>
      Effect.gen(function*() {
        const error = yield* failWith(new Response("<html>captive portal</html>", { status: 200 }))
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag !== "TokenRequestError") return
        assert.strictEqual(error.reason, "Decode")
        assert.isTrue(error.transient)
      }))

    it.effect("a transport failure", () =>
      Effect.gen(function*() {
        const unreachable = HttpClient.make((request) =>
          Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({
                request,
                // as undici reports it: a system error code on the cause
                cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" })
              })
            })
          )
        )
        const error = yield* ClientCredentials.requestToken(credentials).pipe(
          Effect.provideService(HttpClient.HttpClient, unreachable),
          Effect.flip
        )
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag !== "TokenRequestError") return
        assert.strictEqual(error.reason, "Transport")
        assert.isTrue(error.transient)
        assert.include(error.message, "ECONNREFUSED")
      }))

    it.effect("no answer within the timeout", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = () => Effect.never
        const fiber = yield* ClientCredentials.requestToken({ ...credentials, timeout: "2 seconds" }).pipe(
          Effect.provide(fake.layer),
          Effect.flip,
          Effect.forkChild
        )
        yield* TestClock.adjust("2 seconds")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag !== "TokenRequestError") return
        assert.strictEqual(error.reason, "Timeout")
        assert.isTrue(error.transient)
      }))
  })

  describe("malformed answers name the offending field", () => {
    const cases: Array<[string, unknown, string]> = [
      ["a JSON array", [1, 2], "body"],
      ["a JSON string", "token", "body"],
      ["no access_token", { token_type: "Bearer", expires_in: 1800 }, "access_token"],
      ["an empty access_token", { access_token: "", token_type: "Bearer" }, "access_token"],
      ["a numeric access_token", { access_token: 42, token_type: "Bearer" }, "access_token"],
      ["no token_type", { access_token: "abc" }, "token_type"],
      ["a mac token_type", { access_token: "abc", token_type: "mac" }, "token_type"],
      ["a negative expires_in", { access_token: "abc", token_type: "Bearer", expires_in: -1 }, "expires_in"],
      ["a string expires_in", { access_token: "abc", token_type: "Bearer", expires_in: "1800" }, "expires_in"],
      ["a numeric scope", { access_token: "abc", token_type: "Bearer", scope: 3 }, "scope"]
    ]
    for (const [name, body, field] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const error = yield* failWith(json(200, body))
          assert.instanceOf(error, LuccaError.InvalidTokenResponse)
          if (error._tag !== "InvalidTokenResponse") return
          assert.strictEqual(error.field, field)
          assert.include(error.message, field)
        }))
    }

    it.effect("a 201 is not the 200 RFC 6749 requires", () =>
      Effect.gen(function*() {
        const error = yield* failWith(json(201, { access_token: "abc", token_type: "Bearer" }))
        assert.instanceOf(error, LuccaError.InvalidTokenResponse)
        if (error._tag !== "InvalidTokenResponse") return
        assert.strictEqual(error.field, "status")
      }))
  })

  it("decodes the wire schema into a Redacted token (Schema.RedactedFromValue: Schema.Redacted would refuse the string)", () => {
    const decoded = Schema.decodeUnknownSync(AccessToken.TokenResponse)({
      access_token: "abc",
      token_type: "BEARER",
      expires_in: 10
    })
    assert.isTrue(Redacted.isRedacted(decoded.access_token))
    assert.strictEqual(String(decoded.access_token), "<redacted>")
    assert.strictEqual(Redacted.value(decoded.access_token), "abc")
  })
})

describe("LuccaError.isTransient", () => {
  it("is the one question for every error", () => {
    const request = HttpClientRequest.get("https://example.ilucca.net/x")
    const transient = [
      new LuccaError.TokenRequestError({ reason: "Timeout", tokenUrl: "u", transient: true, description: "d" }),
      new LuccaError.OAuthError({ error: "temporarily_unavailable", status: 400, tokenUrl: "u" }),
      new LuccaError.OAuthError({ error: "invalid_client", status: 503, tokenUrl: "u" }),
      new LuccaError.ApiError({ method: "GET", url: "u", status: 429 }),
      new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request }) }),
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request,
          response: HttpClientResponse.fromWeb(request, new Response(null, { status: 503 }))
        })
      })
    ]
    const permanent = [
      new LuccaError.TokenRequestError({ reason: "Redirect", tokenUrl: "u", transient: false, description: "d" }),
      new LuccaError.OAuthError({ error: "invalid_client", status: 401, tokenUrl: "u" }),
      new LuccaError.InvalidTokenResponse({ field: "access_token", description: "d", status: 200, tokenUrl: "u" }),
      new LuccaError.ApiError({ method: "GET", url: "u", status: 400 }),
      new LuccaError.Forbidden({ method: "GET", url: "u", grantedScopes: [] }),
      new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request }) }),
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request,
          response: HttpClientResponse.fromWeb(request, new Response(null, { status: 404 }))
        })
      }),
      "not an error"
    ]
    for (const error of transient) assert.isTrue(LuccaError.isTransient(error), String(error))
    for (const error of permanent) assert.isFalse(LuccaError.isTransient(error), String(error))
  })
})
