/**
 * Bad input, generated: whatever the token endpoint answers and whatever the environment
 * holds, the result is a valid value or a typed error, never a defect. (Effect 4's own
 * `Arbitrary` engine: built from schemas, with `oneOf` over an index where fast-check had
 * `oneof`.)
 */
import { ClientCredentials, LuccaClient, LuccaError } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { accountUrl, makeFake } from "./fixtures.js"

const tokenUrl = ClientCredentials.defaultTokenUrl

const between = (minimum: number, maximum: number) =>
  Arbitrary.schema(Schema.Int.check(Schema.isBetween({ minimum, maximum })))

/** One of `arbitraries`, each as likely. */
const oneOf = <A>(...arbitraries: ReadonlyArray<Arbitrary.Arbitrary<A>>): Arbitrary.Arbitrary<A> =>
  Arbitrary.flatMap(between(0, arbitraries.length - 1), (i) => arbitraries[i])

const constantFrom = <const A extends ReadonlyArray<string>>(...values: A): Arbitrary.Arbitrary<A[number]> =>
  Arbitrary.map(between(0, values.length - 1), (i) => values[i])

const anyString = Arbitrary.schema(Schema.String)

// Answers shaped as a token answer (valid ones among them), RFC 6749 error answers and
// arbitrary JSON or text, under any status
const tokenBody = Arbitrary.all({
  token: oneOf(Arbitrary.map(between(1, 1_000_000_000), (n) => `tok-${n.toString(36)}`), anyString),
  type: oneOf(constantFrom("Bearer", "bearer"), anyString),
  expiresIn: oneOf(between(60, 86_400), between(-10, 100_000)),
  scope: oneOf(constantFrom("employees.readonly", ""), anyString)
}).pipe(
  Arbitrary.map(({ expiresIn, scope, token, type }) =>
    JSON.stringify({ access_token: token, token_type: type, expires_in: expiresIn, scope })
  )
)
const oauthBody = Arbitrary.all({
  error: oneOf(constantFrom("invalid_client", "invalid_scope", "server_error"), anyString),
  description: oneOf(Arbitrary.Constant(undefined), anyString)
}).pipe(Arbitrary.map(({ description, error }) => JSON.stringify({ error, error_description: description })))
const anyBody = oneOf(
  tokenBody,
  oauthBody,
  Arbitrary.map(Arbitrary.schema(Schema.Json), (json) => JSON.stringify(json)),
  anyString,
  Arbitrary.Constant("<html><body>502 Bad Gateway</body></html>"),
  Arbitrary.Constant("")
)
const contentType = oneOf(
  constantFrom("application/json", "application/json; charset=utf-8", "text/html", "text/plain"),
  anyString
)
const status = between(200, 599)

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
        const failure = Cause.findErrorOption(exit.cause)
        assert.isTrue(failure._tag === "Some", `a defect instead of a typed error: ${Cause.pretty(exit.cause)}`)
        if (failure._tag === "Some") {
          assert.isTrue(LuccaError.isLuccaError(failure.value))
          assert.include(["TokenRequestError", "OAuthError", "InvalidTokenResponse"], failure.value._tag)
        }
      }),
    // 300 runs take a few seconds on a busy 2-core machine: a timeout of their own, so
    // that the property keeps its full number of runs
    { arbitrary: { runs: 300 }, timeout: 60_000 }
  )

  const settings = [
    "LUCCA_CLIENT_ID",
    "LUCCA_CLIENT_SECRET",
    "LUCCA_SCOPES",
    "LUCCA_ACCOUNT_URL",
    "LUCCA_TOKEN_URL",
    "LUCCA_API_VERSION"
  ] as const
  const validEnv: Record<string, string> = {
    LUCCA_CLIENT_ID: "id",
    LUCCA_CLIENT_SECRET: "secret",
    LUCCA_SCOPES: "employees.readonly",
    LUCCA_ACCOUNT_URL: accountUrl
  }
  const url = Arbitrary.all({
    scheme: constantFrom("https", "http", "ftp"),
    host: oneOf(constantFrom("example.ilucca.net", "127.0.0.1:1", "accounts.world.luccasoftware.com"), anyString),
    path: oneOf(constantFrom("", "/", "/connect/token", "/x?y=1#z"), anyString)
  }).pipe(Arbitrary.map(({ host, path, scheme }) => `${scheme}://${host}${path}`))

  it.effect.prop(
    "any configuration string yields a valid configuration or a ConfigError naming the setting",
    {
      setting: constantFrom(...settings),
      value: oneOf(
        anyString,
        url,
        constantFrom("employees.readonly departments.readwrite", "2024-11-01", "http://127.0.0.1:1")
      )
    },
    ({ setting, value }) =>
      Effect.gen(function*() {
        const env = ConfigProvider.layer(ConfigProvider.fromEnv({ env: { ...validEnv, [setting]: value } }))
        const exit = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(LuccaClient.layerConfig().pipe(Layer.provide(makeFake().layer), Layer.provide(env))),
          Effect.exit
        )
        if (Exit.isSuccess(exit)) return
        const failure = Cause.findErrorOption(exit.cause)
        assert.isTrue(failure._tag === "Some", `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (failure._tag === "Some") {
          assert.instanceOf(failure.value, Config.ConfigError)
          assert.include(String(failure.value), setting)
          if (setting === "LUCCA_CLIENT_SECRET" && value.length > 3) {
            assert.notInclude(String(failure.value), value)
          }
        }
      }),
    { arbitrary: { runs: 300 }, timeout: 60_000 }
  )
})
