/**
 * Bad input, generated: whatever the token endpoint answers and whatever the environment
 * holds, the result is a valid value or a typed error, never a defect.
 */
import { AccessToken, ClientCredentials, LuccaClient, LuccaError } from "@effect-lucca/core"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { accountUrl, makeFake } from "./fixtures.js"

const tokenUrl = ClientCredentials.defaultTokenUrl

// Full Unicode text: any code point (`unit: "binary"`), and lone UTF-16 surrogates often
// enough to be found in a few hundred runs (among 1.1 million code points they are rare);
// a lone surrogate in a secret once threw a URIError instead of a ConfigError
const surrogateHalf = FastCheck.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit))
const anyText = FastCheck.oneof(
  FastCheck.string({ unit: "binary" }),
  FastCheck.string({
    unit: FastCheck.oneof(FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 }), surrogateHalf)
  })
)

// Valid answers, RFC 6749 error answers and arbitrary JSON or text, under any status
const validBody = Arbitrary.make(Schema.encodedSchema(AccessToken.TokenResponse)).map((body) => JSON.stringify(body))
const oauthBody = FastCheck.record({
  error: FastCheck.oneof(FastCheck.constantFrom("invalid_client", "invalid_scope", "server_error"), anyText),
  error_description: FastCheck.option(anyText, { nil: undefined })
}).map((body) => JSON.stringify(body))
const anyBody = FastCheck.oneof(
  validBody,
  oauthBody,
  FastCheck.json(),
  anyText,
  FastCheck.constant("<html><body>502 Bad Gateway</body></html>"),
  FastCheck.constant("")
)
const contentType = FastCheck.oneof(
  FastCheck.constantFrom("application/json", "application/json; charset=utf-8", "text/html", "text/plain"),
  FastCheck.string()
)
const status = FastCheck.integer({ min: 200, max: 599 })

describe("properties", () => {
  it.effect.prop(
    "any answer of the token endpoint yields a valid token or a typed error",
    { status, contentType, body: anyBody },
    ({ body, contentType, status }) =>
      Effect.gen(function*() {
        const headers = new Headers()
        try {
          headers.set("content-type", contentType)
        } catch {
          // not a legal header value: send none
        }
        const response = HttpClientResponse.fromWeb(
          HttpClientRequest.post(tokenUrl),
          new Response(status === 204 || status === 205 || status === 304 ? null : body, { status, headers })
        )
        const exit = yield* Effect.exit(
          ClientCredentials.processResponse(response, { tokenUrl, requestedScopes: ["employees.readonly"] })
        )
        if (Exit.isSuccess(exit)) {
          assert.strictEqual(status, 200)
          assert.isAbove(Redacted.value(exit.value.value).length, 0)
          assert.isAtLeast(exit.value.expiresAt, exit.value.issuedAt)
          return
        }
        const failure = Cause.failureOption(exit.cause)
        assert.isTrue(failure._tag === "Some", `a defect instead of a typed error: ${Cause.pretty(exit.cause)}`)
        if (failure._tag === "Some") {
          assert.isTrue(LuccaError.isLuccaError(failure.value))
          assert.include(["TokenRequestError", "OAuthError", "InvalidTokenResponse"], failure.value._tag)
        }
      }),
    // 300 runs take a few seconds on a busy 2-core machine: a timeout of their own, so
    // that the property keeps its full number of runs
    { fastCheck: { numRuns: 300 }, timeout: 60_000 }
  )

  const settings = [
    "LUCCA_CLIENT_ID",
    "LUCCA_CLIENT_SECRET",
    "LUCCA_SCOPES",
    "LUCCA_ACCOUNT_URL",
    "LUCCA_TOKEN_URL",
    "LUCCA_API_VERSION"
  ]
  const validEnv: Record<string, string> = {
    LUCCA_CLIENT_ID: "id",
    LUCCA_CLIENT_SECRET: "secret",
    LUCCA_SCOPES: "employees.readonly",
    LUCCA_ACCOUNT_URL: accountUrl
  }

  it.effect.prop(
    "any configuration string yields a valid configuration or a ConfigError naming the setting",
    {
      setting: FastCheck.constantFrom(...settings),
      value: FastCheck.oneof(
        anyText,
        FastCheck.webUrl(),
        FastCheck.constantFrom("employees.readonly departments.readwrite", "2024-11-01", "http://127.0.0.1:1")
      )
    },
    ({ setting, value }) =>
      Effect.gen(function*() {
        const provider = ConfigProvider.fromMap(new Map(Object.entries({ ...validEnv, [setting]: value })))
        const exit = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(
            LuccaClient.layerConfig().pipe(
              Layer.provide(makeFake().layer),
              Layer.provide(Layer.setConfigProvider(provider))
            )
          ),
          Effect.exit
        )
        if (Exit.isSuccess(exit)) return
        const failure = Cause.failureOption(exit.cause)
        assert.isTrue(failure._tag === "Some", `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (failure._tag === "Some") {
          assert.isTrue(ConfigError.isConfigError(failure.value))
          assert.include(String(failure.value), setting)
          if (setting === "LUCCA_CLIENT_SECRET" && value.length > 3) {
            assert.notInclude(String(failure.value), value)
          }
        }
      }),
    // 300 runs take a few seconds on a busy 2-core machine: a timeout of their own, so
    // that the property keeps its full number of runs
    { fastCheck: { numRuns: 300 }, timeout: 60_000 }
  )
})
