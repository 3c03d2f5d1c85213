import { LuccaClient, LuccaConfig, LuccaScope, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { accountUrl, credentials, makeFake, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl }

/** Builds a client from options and returns the configuration error it fails with. */
const configError = (overrides: Partial<LuccaClient.Options>) =>
  LuccaClient.make({ ...options, ...overrides }).pipe(
    Effect.provide(makeFake().layer),
    Effect.flip
  )

const env = (vars: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars }))

const validEnv = {
  LUCCA_CLIENT_ID: "id",
  LUCCA_CLIENT_SECRET: "secret",
  LUCCA_SCOPES: "employees.readonly, departments.readonly",
  LUCCA_ACCOUNT_URL: accountUrl
}

describe("configuration", () => {
  describe("options are checked when the layer is built, and the error names the option", () => {
    const cases: Array<[string, Partial<LuccaClient.Options>, string, string]> = [
      ["an empty client id", { clientId: " " }, "clientId", "must not be empty"],
      ["an empty secret", { clientSecret: Redacted.make("") }, "clientSecret", "must not be empty"],
      ["no scope", { scopes: [] }, "scopes", "at least one scope"],
      ["a malformed scope", { scopes: ["employees:read"] }, "scopes", "not a Lucca scope"],
      ["a near miss", { scopes: ["employee.readonly"] }, "scopes", "Did you mean \"employees.readonly\"?"],
      ["a wrong suffix", { scopes: ["leaves.read"] }, "scopes", "Did you mean \"leaves.readonly\"?"],
      ["readwrite on a read-only resource", { scopes: ["events.readwrite"] }, "scopes", "only has \"events.readonly\""],
      ["a plain http account", { accountUrl: "http://example.ilucca.net" }, "accountUrl", "must use https"],
      [
        "the token host as account",
        { accountUrl: "https://accounts.world.luccasoftware.com" },
        "accountUrl",
        "global token host"
      ],
      ["an account URL with a path", { accountUrl: `${accountUrl}/lucca-api` }, "accountUrl", "without a path"],
      ["a relative account URL", { accountUrl: "example.ilucca.net" }, "accountUrl", "not an absolute URL"],
      ["a plain http token URL", { tokenUrl: "http://accounts.example.com/connect/token" }, "tokenUrl", "https"],
      ["a malformed Api-Version", { apiVersion: "v2" }, "apiVersion", "must be a date"],
      ["a hard margin above the window", { hardMargin: "10 minutes" }, "hardMargin", "must not exceed"],
      ["a burst above the limit", { rateLimit: { requests: 10, burst: 20 } }, "rateLimit.burst", "must be below"],
      ["zero retries", { requestRetry: { times: 0 } }, "requestRetry.times", "at least 1"],
      [
        "a retry budget that is not a duration",
        { tokenRetry: { budget: "soon" as never } },
        "tokenRetry.budget",
        "duration"
      ],
      ["a body limit of 0 bytes", { responseBody: { maxBytes: 0 } }, "responseBody.maxBytes", "at least 1"]
    ]
    // what plain JavaScript callers pass: ConfigErrors, never a TypeError
    cases.push(
      ["no client id", { clientId: undefined as never }, "clientId", "must be a string, got undefined"],
      ["a number as client id", { clientId: 42 as never }, "clientId", "must be a string, got number"],
      [
        "Redacted.make(undefined) as secret",
        { clientSecret: Redacted.make(undefined) as never },
        "clientSecret",
        "got Redacted.make(undefined)"
      ],
      ["a plain string as secret", { clientSecret: "s3cr3t" as never }, "clientSecret", "must be a Redacted string"],
      ["no secret", { clientSecret: undefined as never }, "clientSecret", "must be a Redacted string"],
      [
        "scopes as one string",
        { scopes: "departments.readonly" as never },
        "scopes",
        "must be an array of scopes, such as [\"departments.readonly\"], not a string"
      ],
      ["no scopes", { scopes: undefined as never }, "scopes", "must be an array of scopes"],
      ["a scope that is not a string", { scopes: ["employees.readonly", 1] as never }, "scopes", "strings only"],
      ["no account URL", { accountUrl: undefined as never }, "accountUrl", "not an absolute URL"]
    )
    for (const [name, overrides, setting, message] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const error = yield* configError(overrides)
          assert.instanceOf(error, Config.ConfigError)
          assert.include(String(error), setting)
          assert.include(String(error), message)
        }))
    }

    it.effect("a lone surrogate in TokenProvider.make's secret is a ConfigError, never a URIError defect", () =>
      Effect.gen(function*() {
        const exit = yield* TokenProvider.make({ ...credentials, clientSecret: Redacted.make("s3cr3t\ud800") }).pipe(
          Effect.provide(makeFake().layer),
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isSuccess(exit)) return
        const failure = Cause.findErrorOption(exit.cause)
        assert.isTrue(Option.isSome(failure), `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (Option.isNone(failure)) return
        assert.instanceOf(failure.value, Config.ConfigError)
        const message = String(failure.value)
        assert.include(message, "clientSecret")
        assert.include(message, "lone UTF-16 surrogate")
        assert.include(message, "U+FFFD")
      }))
  })

  it.effect("a loopback account with Lucca's token URL is told to set LUCCA_TOKEN_URL, at once", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const capture = Logger.layer([
        Logger.make(({ logLevel, message }) => logLevel === "Warn" && warnings.push(String(message)))
      ])
      const build = (overrides: Partial<LuccaClient.Options>) =>
        LuccaClient.make({ ...options, ...overrides }).pipe(
          Effect.provide(makeFake().layer),
          Effect.provide(capture),
          Effect.scoped
        )
      yield* build({ accountUrl: "http://127.0.0.1:8080" })
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], "the account URL http://127.0.0.1:8080 is loopback but the token URL is Lucca's")
      assert.include(warnings[0], "set LUCCA_TOKEN_URL")
      // the emulator's own token URL, or a real account: nothing to say
      yield* build({ accountUrl: "http://127.0.0.1:8080", tokenUrl: "http://127.0.0.1:8080/connect/token" })
      yield* build({})
      assert.strictEqual(warnings.length, 1)
    }))

  it.effect("loopback hosts may use plain http, for local emulation", () =>
    Effect.gen(function*() {
      const client = yield* LuccaClient.make({
        ...options,
        accountUrl: "http://127.0.0.1:8080",
        tokenUrl: "http://localhost:8080/connect/token"
      }).pipe(Effect.provide(makeFake().layer))
      assert.strictEqual(client.accountUrl.origin, "http://127.0.0.1:8080")
    }))

  it("well-shaped unknown scopes are allowed, other shapes are not", () => {
    assert.isTrue(Result.isSuccess(LuccaScope.validate("time-entries.readwrite")))
    assert.isTrue(Result.isSuccess(LuccaScope.validate("employees.readwrite")))
    assert.isTrue(Result.isFailure(LuccaScope.validate("Employees.readonly")))
    assert.isTrue(Result.isFailure(LuccaScope.validate("employees")))
  })

  describe("layerConfig reads LUCCA_* variables", () => {
    it.effect("a complete environment", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        // the client lives as long as its layer: build it in the test's scope
        const client = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(
            yield* Layer.build(LuccaClient.layerConfig().pipe(Layer.provide(fake.layer), Layer.provide(env(validEnv))))
          )
        )
        yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
        assert.strictEqual(fake.state.apiRequests[0].headers["authorization"], `Bearer ${tokenFor(1)}`)
        assert.strictEqual(client.accountUrl.origin, accountUrl)
        assert.strictEqual(client.apiVersion, "2024-11-01")
        const form = new URLSearchParams(fake.state.tokenRequests[0].body)
        assert.strictEqual(form.get("scope"), "employees.readonly departments.readonly")
        assert.strictEqual(form.get("client_secret"), "secret")
      }))

    const broken: Array<[string, Record<string, string>]> = [
      ["LUCCA_CLIENT_SECRET", { LUCCA_CLIENT_SECRET: "" }],
      ["LUCCA_SCOPES", { LUCCA_SCOPES: "employees.readonyl" }],
      ["LUCCA_ACCOUNT_URL", { LUCCA_ACCOUNT_URL: "https://accounts.world.luccasoftware.com" }],
      ["LUCCA_TOKEN_URL", { LUCCA_TOKEN_URL: "ftp://x" }],
      ["LUCCA_API_VERSION", { LUCCA_API_VERSION: "latest" }]
    ]
    for (const [setting, vars] of broken) {
      it.effect(`a bad ${setting} is named`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(
            LuccaClient.LuccaClient.pipe(
              Effect.provide(
                LuccaClient.layerConfig().pipe(
                  Layer.provide(makeFake().layer),
                  Layer.provide(env({ ...validEnv, ...vars }))
                )
              )
            )
          )
          assert.instanceOf(error, Config.ConfigError)
          assert.include(String(error), setting)
        }))
    }

    it.effect("every bad setting is named at once, and a missing one beside them", () =>
      Effect.gen(function*() {
        const { LUCCA_CLIENT_ID: _, ...rest } = validEnv
        const error = yield* Effect.flip(
          LuccaClient.LuccaClient.pipe(
            Effect.provide(
              LuccaClient.layerConfig().pipe(
                Layer.provide(makeFake().layer),
                Layer.provide(env({
                  ...rest,
                  LUCCA_SCOPES: "employee.readonly",
                  LUCCA_TOKEN_URL: "ftp://x",
                  LUCCA_API_VERSION: "latest"
                }))
              )
            )
          )
        )
        assert.instanceOf(error, Config.ConfigError)
        const message = String(error)
        for (const setting of ["LUCCA_CLIENT_ID", "LUCCA_SCOPES", "LUCCA_TOKEN_URL", "LUCCA_API_VERSION"]) {
          assert.include(message, setting)
        }
        assert.include(message, "Did you mean \"employees.readonly\"?")
        assert.include(message, "must be a date")
        assert.notInclude(message, "LUCCA_ACCOUNT_URL")
      }))

    it.effect("one Config per option: every bad one is named at once", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          LuccaClient.LuccaClient.pipe(
            Effect.provide(
              LuccaClient.layerConfig({
                clientId: Config.NonEmptyString("DIRECTORY_ID"),
                clientSecret: Config.Redacted("DIRECTORY_SECRET"),
                scopes: Config.Array(Schema.String, "DIRECTORY_SCOPES"),
                accountUrl: Config.URL("DIRECTORY_ACCOUNT").pipe(Config.map((url) => url.origin))
              }).pipe(
                Layer.provide(makeFake().layer),
                Layer.provide(
                  env({ DIRECTORY_ID: "", DIRECTORY_SCOPES: "employees.readonly", DIRECTORY_ACCOUNT: "nowhere" })
                )
              )
            )
          )
        )
        assert.instanceOf(error, Config.ConfigError)
        for (const variable of ["DIRECTORY_ID", "DIRECTORY_SECRET", "DIRECTORY_ACCOUNT"]) {
          assert.include(String(error), variable)
        }
        assert.notInclude(String(error), "DIRECTORY_SCOPES")
      }))

    it.effect("settings that are all unset leave the group absent: Config.option gives None, a bad one still fails", () =>
      Effect.gen(function*() {
        const optional = Config.option(LuccaConfig.client)
        const none = yield* optional.parse(ConfigProvider.fromEnv({ env: {} }))
        assert.isTrue(Option.isNone(none))
        const error = yield* Effect.flip(
          optional.parse(ConfigProvider.fromEnv({ env: { LUCCA_SCOPES: "employee.readonly" } }))
        )
        assert.include(String(error), "LUCCA_SCOPES")
        assert.include(String(error), "LUCCA_CLIENT_ID")
      }))

    it.effect("a LUCCA_CLIENT_SECRET holding a lone surrogate is named, never a defect", () =>
      Effect.gen(function*() {
        const exit = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(
            LuccaClient.layerConfig().pipe(
              Layer.provide(makeFake().layer),
              Layer.provide(env({ ...validEnv, LUCCA_CLIENT_SECRET: "s3cr3t\udfff" }))
            )
          ),
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isSuccess(exit)) return
        const failure = Cause.findErrorOption(exit.cause)
        assert.isTrue(Option.isSome(failure), `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (Option.isNone(failure)) return
        assert.instanceOf(failure.value, Config.ConfigError)
        assert.include(String(failure.value), "LUCCA_CLIENT_SECRET")
        assert.include(String(failure.value), "U+FFFD")
      }))

    it.effect("a missing variable is named", () =>
      Effect.gen(function*() {
        const { LUCCA_CLIENT_ID: _, ...rest } = validEnv
        const error = yield* Effect.flip(
          TokenProvider.TokenProvider.pipe(
            Effect.provide(TokenProvider.layerConfig().pipe(Layer.provide(makeFake().layer), Layer.provide(env(rest))))
          )
        )
        assert.include(String(error), "LUCCA_CLIENT_ID")
      }))

    it.effect("a record of one Config per option, as Effect's clients take them", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        const client = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(
            LuccaClient.layerConfig({
              clientId: Config.String("DIRECTORY_ID"),
              clientSecret: Config.Redacted("DIRECTORY_SECRET"),
              scopes: Config.Array(Schema.String, "DIRECTORY_SCOPES"),
              accountUrl: Config.String("DIRECTORY_ACCOUNT")
            }).pipe(
              Layer.provide(fake.layer),
              Layer.provide(env({
                DIRECTORY_ID: "directory",
                DIRECTORY_SECRET: "secret",
                DIRECTORY_SCOPES: "employees.readonly,departments.readonly",
                DIRECTORY_ACCOUNT: accountUrl
              }))
            )
          )
        )
        assert.strictEqual(client.accountUrl.origin, accountUrl)
        // the values are checked by the same schema as options: a bad one is named
        const error = yield* Effect.flip(
          LuccaClient.LuccaClient.pipe(
            Effect.provide(
              LuccaClient.layerConfig({
                clientId: Config.String("DIRECTORY_ID"),
                clientSecret: Config.Redacted("DIRECTORY_SECRET"),
                scopes: Config.Array(Schema.String, "DIRECTORY_SCOPES"),
                accountUrl: Config.String("DIRECTORY_ACCOUNT")
              }).pipe(
                Layer.provide(fake.layer),
                Layer.provide(env({
                  DIRECTORY_ID: "directory",
                  DIRECTORY_SECRET: "secret",
                  DIRECTORY_SCOPES: "employee.readonly",
                  DIRECTORY_ACCOUNT: accountUrl
                }))
              )
            )
          )
        )
        assert.include(String(error), "scopes")
        assert.include(String(error), "Did you mean \"employees.readonly\"?")
      }))

    it.effect("several client applications through nested configs", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        const vars = Object.fromEntries(Object.entries(validEnv).map(([k, v]) => [`PAYROLL_${k}`, v]))
        const client = yield* LuccaClient.LuccaClient.pipe(
          Effect.provide(
            LuccaClient.layerConfig(Config.nested(LuccaConfig.client, "PAYROLL")).pipe(
              Layer.provide(fake.layer),
              Layer.provide(env(vars))
            )
          )
        )
        assert.strictEqual(client.accountUrl.origin, accountUrl)
      }))
  })

  describe("each option is one Schema (issue 20 point 4)", () => {
    /** The message of a schema's refusal, or "accepted". */
    const refusal = (schema: Schema.Codec<any, any>, input: unknown): string =>
      Result.match(Schema.decodeUnknownResult(schema)(input), {
        onFailure: (error) => error.message,
        onSuccess: () => "accepted"
      })

    it("the public schemas decode what the options take, and say what is wrong", () => {
      assert.strictEqual(Schema.decodeUnknownSync(LuccaConfig.ClientId)("  my-client "), "my-client")
      assert.include(refusal(LuccaConfig.ClientId, " "), "must not be empty")
      assert.include(refusal(LuccaConfig.ClientId, 42), "must be a string, got number")
      assert.strictEqual(Redacted.value(Schema.decodeUnknownSync(LuccaConfig.ClientSecret)(Redacted.make("s"))), "s")
      assert.include(refusal(LuccaConfig.ClientSecret, Redacted.make("sec\n")), "whitespace")
      // a secret passed without Redacted is refused without being quoted
      const plain = refusal(LuccaConfig.ClientSecret, "plain-s3cr3t")
      assert.include(plain, "must be a Redacted string (Redacted.make(secret)), got string")
      assert.notInclude(plain, "plain-s3cr3t")
      assert.notInclude(refusal(LuccaConfig.ClientSecret, Redacted.make(" s3cr3t")), "s3cr3t")
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(LuccaConfig.Scopes)(["employees.readonly", "employees.readonly"]),
        ["employees.readonly"]
      )
      assert.include(refusal(LuccaConfig.Scopes, "a b"), "not a string")
      assert.strictEqual(
        Schema.decodeUnknownSync(LuccaConfig.AccountUrl)(`${accountUrl}/`).href,
        `${accountUrl}/`
      )
      assert.include(refusal(LuccaConfig.AccountUrl, `${accountUrl}/lucca-api?x=1`), "without a path")
      assert.include(refusal(LuccaConfig.AccountUrl, "https://me:pw@example.ilucca.net"), "credentials")
      assert.strictEqual(refusal(LuccaConfig.TokenUrl, "http://127.0.0.1:8080/connect/token"), "accepted")
      assert.include(refusal(LuccaConfig.TokenUrl, "https://tokens.example.com/t"), "dangerouslyAllowTokenUrl")
      assert.strictEqual(refusal(LuccaConfig.ApiVersion, "2024-11-01"), "accepted")
      assert.include(refusal(LuccaConfig.ApiVersion, "2024-02-31"), "real calendar day")
    })

    const cases: Array<[string, Partial<LuccaClient.Options>, string, string]> = [
      [
        "a request backoff that is not a Schedule",
        { requestRetry: { backoff: 5 as never } },
        "requestRetry.backoff",
        "must be a Schedule"
      ],
      [
        "a token backoff that is not a Schedule",
        { tokenRetry: { backoff: "1 second" as never } },
        "tokenRetry.backoff",
        "must be a Schedule"
      ],
      [
        "a transformClient that is not a function",
        { transformClient: {} as never },
        "transformClient",
        "must be a function"
      ]
    ]
    for (const [name, overrides, option, message] of cases) {
      it.effect(`${name}: a ConfigError naming ${option}`, () =>
        Effect.gen(function*() {
          const error = yield* configError(overrides)
          assert.instanceOf(error, Config.ConfigError)
          assert.include(String(error), option)
          assert.include(String(error), message)
        }))
    }

    it.effect("TokenProvider.cached checks its backoff too", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(TokenProvider.cached(Effect.never, { tokenRetry: { backoff: 1 as never } }))
        assert.include(String(error), "tokenRetry.backoff")
      }))
  })
})
