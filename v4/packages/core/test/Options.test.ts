/**
 * The options of a provider and the `LUCCA_*` variables: bad input is a `ConfigError` that
 * names the option or the variable (the provider-level cases of the Effect 3 line's
 * LuccaConfig and Security tests).
 */
import { ClientCredentials, LuccaConfig, LuccaError, LuccaScope, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { credentials, json, makeFake, tokenFor } from "./fixtures.js"

const configError = (overrides: Partial<TokenProvider.Options>) =>
  TokenProvider.make({ ...credentials, ...overrides } as TokenProvider.Options).pipe(
    Effect.provide(makeFake().layer),
    Effect.flip
  )

describe("options are checked when the provider is built, and the error names the option", () => {
  const cases: Array<[string, Partial<TokenProvider.Options>, string, string]> = [
    ["an empty client id", { clientId: " " }, "clientId", "must not be empty"],
    ["an empty secret", { clientSecret: Redacted.make("") }, "clientSecret", "must not be empty"],
    ["a secret read with its line break", { clientSecret: Redacted.make("sec\n") }, "clientSecret", "whitespace"],
    ["a secret that is not Redacted", { clientSecret: "plain" as never }, "clientSecret", "Redacted"],
    // found by the configuration property: it threw a URIError while the secret's encodings were computed
    ["a secret with a lone surrogate", { clientSecret: Redacted.make("s3cr3t\ud800") }, "clientSecret", "well-formed"],
    ["a client id with a lone surrogate", { clientId: "id\udc00" }, "clientId", "well-formed"],
    ["no scope", { scopes: [] }, "scopes", "at least one scope"],
    ["a malformed scope", { scopes: ["employees:read"] }, "scopes", "not a Lucca scope"],
    ["a near miss", { scopes: ["employee.readonly"] }, "scopes", "Did you mean \"employees.readonly\"?"],
    ["a wrong suffix", { scopes: ["leaves.read"] }, "scopes", "Did you mean \"leaves.readonly\"?"],
    ["readwrite on a read-only resource", { scopes: ["events.readwrite"] }, "scopes", "only has \"events.readonly\""],
    ["a plain http token URL", { tokenUrl: "http://accounts.example.com/connect/token" }, "tokenUrl", "https"],
    [
      "another https token host",
      { tokenUrl: "https://tokens.example.com/token" },
      "tokenUrl",
      "dangerouslyAllowTokenUrl"
    ],
    ["a hard margin above the window", { hardMargin: "10 minutes" }, "hardMargin", "must not exceed"],
    [
      "a retry budget that is not a duration",
      { tokenRetry: { budget: "soon" as never } },
      "tokenRetry.budget",
      "duration"
    ],
    ["a negative timeout", { timeout: -5 }, "timeout", "must not be negative"],
    ["a body limit of 0 bytes", { maxResponseBytes: 0 }, "maxResponseBytes", "at least 1"]
  ]
  for (const [name, overrides, setting, message] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const error = yield* configError(overrides)
        assert.instanceOf(error, Config.ConfigError)
        assert.include(error.message, setting)
        assert.include(error.message, message)
        assert.notInclude(error.message, "sec\n")
      }))
  }

  it.effect("loopback token hosts may use plain http, and another https host needs the loud opt-in", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const loopback = yield* TokenProvider.make({ ...credentials, tokenUrl: "http://localhost:8080/connect/token" })
        .pipe(Effect.provide(fake.layer), Effect.result)
      assert.isTrue(Result.isSuccess(loopback))
      const optIn = yield* TokenProvider.make({
        ...credentials,
        tokenUrl: "https://tokens.example.com/token",
        dangerouslyAllowTokenUrl: true
      }).pipe(Effect.provide(fake.layer), Effect.result)
      assert.isTrue(Result.isSuccess(optIn))
    }))

  it.effect("the cache options alone are checked by TokenProvider.cached", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        TokenProvider.cached(TokenProviderToken.get, { refreshWindow: "1 minute", hardMargin: "2 minutes" })
      )
      assert.instanceOf(error, Config.ConfigError)
      assert.include(error.message, "hardMargin")
    }))

  it("well-shaped unknown scopes are allowed, other shapes are not", () => {
    assert.isTrue(Result.isSuccess(LuccaScope.validate("time-entries.readwrite")))
    assert.isTrue(Result.isSuccess(LuccaScope.validate("employees.readwrite")))
    assert.isTrue(Result.isFailure(LuccaScope.validate("Employees.readonly")))
    assert.isTrue(Result.isFailure(LuccaScope.validate("employees")))
  })

  for (
    const [name, tokenUrl] of [
      ["plain http to a non-loopback host", "http://accounts.world.luccasoftware.com/connect/token"],
      ["another https host without the opt-in", "https://tokens.example.com/connect/token"]
    ]
  ) {
    it.effect(`requestToken itself refuses ${name}, and sends nothing`, () =>
      Effect.gen(function*() {
        const sent: Array<string> = []
        const recording = HttpClient.make((request) => {
          sent.push(request.url)
          return Effect.succeed(
            HttpClientResponse.fromWeb(request, json(200, { access_token: "abc", token_type: "Bearer" }))
          )
        })
        const error = yield* Effect.flip(
          ClientCredentials.requestToken({ ...credentials, tokenUrl }).pipe(
            Effect.provideService(HttpClient.HttpClient, recording)
          )
        )
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag === "TokenRequestError") assert.isFalse(error.transient)
        assert.deepStrictEqual(sent, [])
      }))
  }
})

const TokenProviderToken = TokenProvider.makeStatic("t")

describe("layerConfig reads LUCCA_* variables", () => {
  const env = (vars: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars }))
  const validEnv = {
    LUCCA_CLIENT_ID: "id",
    LUCCA_CLIENT_SECRET: "secret",
    LUCCA_SCOPES: "employees.readonly departments.readonly",
    LUCCA_TOKEN_URL: "https://accounts.world.luccasoftware.com/connect/token"
  }

  it.effect("a complete environment", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const token = yield* Effect.flatMap(TokenProvider.TokenProvider, (provider) => provider.get).pipe(
        Effect.provide(TokenProvider.layerConfig().pipe(Layer.provide(fake.layer), Layer.provide(env(validEnv))))
      )
      assert.strictEqual(Redacted.value(token.value), tokenFor(1))
      const form = new URLSearchParams(fake.state.tokenRequests[0].body)
      assert.strictEqual(form.get("scope"), "employees.readonly departments.readonly")
      assert.strictEqual(form.get("client_secret"), "secret")
      assert.strictEqual(form.get("client_id"), "id")
    }))

  const broken: Array<[string, Record<string, string>]> = [
    ["LUCCA_CLIENT_SECRET", { LUCCA_CLIENT_SECRET: "sec\n" }],
    ["LUCCA_CLIENT_SECRET", { LUCCA_CLIENT_SECRET: "   " }],
    ["LUCCA_SCOPES", { LUCCA_SCOPES: "employees.readonyl" }],
    ["LUCCA_TOKEN_URL", { LUCCA_TOKEN_URL: "ftp://x" }],
    ["LUCCA_TOKEN_URL", { LUCCA_TOKEN_URL: "https://tokens.example.com/token" }]
  ]
  for (const [setting, vars] of broken) {
    it.effect(`a bad ${setting} is named (${JSON.stringify(Object.values(vars)[0])})`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Effect.flatMap(TokenProvider.TokenProvider, (provider) => provider.get).pipe(
            Effect.provide(
              TokenProvider.layerConfig().pipe(
                Layer.provide(makeFake().layer),
                Layer.provide(env({ ...validEnv, ...vars }))
              )
            )
          )
        )
        assert.instanceOf(error, Config.ConfigError)
        assert.include(String(error), setting)
        assert.notInclude(String(error), "sec\n")
      }))
  }

  it.effect("the account settings: LUCCA_ACCOUNT_URL and LUCCA_API_VERSION are checked and named", () =>
    Effect.gen(function*() {
      const read = (vars: Record<string, string>) =>
        Effect.result(LuccaConfig.client.pipe(Effect.provide(env({ ...validEnv, ...vars }))))
      const ok = yield* read({ LUCCA_ACCOUNT_URL: "https://example.ilucca.net/", LUCCA_API_VERSION: "2024-11-01" })
      assert.isTrue(Result.isSuccess(ok))
      if (Result.isSuccess(ok)) {
        assert.strictEqual(ok.success.accountUrl, "https://example.ilucca.net")
        assert.strictEqual(ok.success.apiVersion, "2024-11-01")
      }
      for (
        const [setting, vars] of [
          ["LUCCA_ACCOUNT_URL", { LUCCA_ACCOUNT_URL: "https://accounts.world.luccasoftware.com." }],
          ["LUCCA_API_VERSION", { LUCCA_ACCOUNT_URL: "https://example.ilucca.net", LUCCA_API_VERSION: "2024-02-31" }]
        ] as const
      ) {
        const failed = yield* read(vars)
        assert.isTrue(Result.isFailure(failed), setting)
        if (Result.isFailure(failed)) assert.include(String(failed.failure), setting)
      }
    }))

  it.effect("a missing variable is named", () =>
    Effect.gen(function*() {
      const { LUCCA_CLIENT_ID: _, ...rest } = validEnv
      const error = yield* Effect.flip(LuccaConfig.credentials.pipe(Effect.provide(env(rest))))
      assert.include(String(error), "LUCCA_CLIENT_ID")
    }))
})
