import { ClientCredentials, LuccaClient, LuccaConfig, LuccaScope, TokenProvider } from "@effect-lucca/core"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { accountUrl, credentials, makeFake, okToken, problem, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl }

/** Builds a client from options and returns the configuration error it fails with. */
const configError = (overrides: Partial<LuccaClient.Options>) =>
  LuccaClient.make({ ...options, ...overrides }).pipe(
    Effect.provide(makeFake().layer),
    Effect.scoped,
    Effect.flip
  )

const env = (vars: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

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
      // it threw a URIError while the secret's encodings were computed
      ["a secret with a lone surrogate", { clientSecret: Redacted.make("s3cr3t\ud800") }, "clientSecret", "U+FFFD"],
      ["a client id with a lone surrogate", { clientId: "id\udc00" }, "clientId", "well-formed"],
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
          assert.isTrue(ConfigError.isConfigError(error))
          assert.include(String(error), setting)
          assert.include(String(error), message)
        }))
    }

    it.effect("a lone surrogate in TokenProvider.make's secret is a ConfigError, never a URIError defect", () =>
      Effect.gen(function*() {
        const exit = yield* TokenProvider.make({ ...credentials, clientSecret: Redacted.make("s3cr3t\ud800") }).pipe(
          Effect.provide(makeFake().layer),
          Effect.scoped,
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isSuccess(exit)) return
        const failure = Cause.failureOption(exit.cause)
        assert.isTrue(Option.isSome(failure), `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (Option.isNone(failure)) return
        assert.isTrue(ConfigError.isConfigError(failure.value))
        const message = String(failure.value)
        assert.include(message, "clientSecret")
        assert.include(message, "lone UTF-16 surrogate")
        assert.include(message, "U+FFFD")
        assert.notInclude(message, "s3cr3t")
      }))
  })

  it.effect("loopback hosts may use plain http, for local emulation", () =>
    Effect.gen(function*() {
      const client = yield* LuccaClient.make({
        ...options,
        accountUrl: "http://127.0.0.1:8080",
        tokenUrl: "http://localhost:8080/connect/token"
      }).pipe(Effect.provide(makeFake().layer), Effect.scoped)
      assert.strictEqual(client.accountUrl.origin, "http://127.0.0.1:8080")
    }))

  it.effect("a loopback account with Lucca's token URL is told to set LUCCA_TOKEN_URL, at once", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => logLevel._tag === "Warning" && warnings.push(String(message)))
      )
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

  it("well-shaped unknown scopes are allowed, other shapes are not", () => {
    assert.isTrue(Either.isRight(LuccaScope.validate("time-entries.readwrite")))
    assert.isTrue(Either.isRight(LuccaScope.validate("employees.readwrite")))
    assert.isTrue(Either.isLeft(LuccaScope.validate("Employees.readonly")))
    assert.isTrue(Either.isLeft(LuccaScope.validate("employees")))
  })

  describe("layerConfig reads LUCCA_* variables", () => {
    it.scoped("a complete environment", () =>
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
          assert.isTrue(ConfigError.isConfigError(error))
          assert.include(String(error), setting)
        }))
    }

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
        const failure = Cause.failureOption(exit.cause)
        assert.isTrue(Option.isSome(failure), `a defect instead of a ConfigError: ${Cause.pretty(exit.cause)}`)
        if (Option.isNone(failure)) return
        assert.isTrue(ConfigError.isConfigError(failure.value))
        assert.include(String(failure.value), "LUCCA_CLIENT_SECRET")
        assert.include(String(failure.value), "well-formed")
        assert.notInclude(String(failure.value), "s3cr3t")
      }))

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
        assert.isTrue(ConfigError.isConfigError(error))
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
                clientId: Config.nonEmptyString("DIRECTORY_ID"),
                clientSecret: Config.redacted("DIRECTORY_SECRET"),
                scopes: Config.array(Config.string(), "DIRECTORY_SCOPES"),
                accountUrl: Config.url("DIRECTORY_ACCOUNT").pipe(Config.map((url) => url.origin))
              }).pipe(
                Layer.provide(makeFake().layer),
                Layer.provide(
                  env({ DIRECTORY_ID: "", DIRECTORY_SCOPES: "employees.readonly", DIRECTORY_ACCOUNT: "nowhere" })
                )
              )
            )
          )
        )
        assert.isTrue(ConfigError.isConfigError(error))
        for (const variable of ["DIRECTORY_ID", "DIRECTORY_SECRET", "DIRECTORY_ACCOUNT"]) {
          assert.include(String(error), variable)
        }
        assert.notInclude(String(error), "DIRECTORY_SCOPES")
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
              clientId: Config.string("DIRECTORY_ID"),
              clientSecret: Config.redacted("DIRECTORY_SECRET"),
              scopes: Config.array(Config.string(), "DIRECTORY_SCOPES"),
              accountUrl: Config.string("DIRECTORY_ACCOUNT")
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
                clientId: Config.string("DIRECTORY_ID"),
                clientSecret: Config.redacted("DIRECTORY_SECRET"),
                scopes: Config.array(Config.string(), "DIRECTORY_SCOPES"),
                accountUrl: Config.string("DIRECTORY_ACCOUNT")
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
              Layer.provide(
                Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars)), { pathDelim: "_" }))
              )
            )
          )
        )
        assert.strictEqual(client.accountUrl.origin, accountUrl)
      }))
  })

  describe("each setting is one schema, for options and configuration alike", () => {
    /** The message a schema refuses `input` with (one line, as ConfigErrors carry it). */
    const refusal = <A, I>(schema: Schema.Schema<A, I>, input: unknown): string =>
      Either.match(Schema.decodeUnknownEither(schema)(input), {
        onLeft: (error) => error.message.split("\n").at(-1)!.replace(/^[\s└─]+/, ""),
        onRight: () => "accepted"
      })

    it("the public schemas decode what the options take, and say what is wrong", () => {
      assert.strictEqual(Schema.decodeUnknownSync(LuccaConfig.ClientId)("  my-client ")!, "my-client")
      assert.strictEqual(refusal(LuccaConfig.ClientId, " "), "must not be empty")
      assert.strictEqual(refusal(LuccaConfig.ClientId, 42), "must be a string, got number")
      assert.include(refusal(LuccaConfig.ClientId, "id\ud800"), "must be well-formed text")
      // a surrogate pair is one character, and well-formed
      assert.strictEqual(Schema.decodeUnknownSync(LuccaConfig.ClientId)("id\ud83d\ude00"), "id\ud83d\ude00")

      assert.strictEqual(Redacted.value(Schema.decodeUnknownSync(LuccaConfig.ClientSecret)(Redacted.make("s"))), "s")
      assert.strictEqual(
        refusal(LuccaConfig.ClientSecret, Redacted.make("sec\n")),
        "must not start or end with whitespace (a line break read from a file?)"
      )
      assert.include(refusal(LuccaConfig.ClientSecret, Redacted.make("\udc00s3cr3t")), "must be well-formed text")
      assert.strictEqual(
        Redacted.value(Schema.decodeUnknownSync(LuccaConfig.ClientSecret)(Redacted.make("s3cr3t\ud83d\ude00"))),
        "s3cr3t\ud83d\ude00"
      )
      assert.notInclude(
        Either.getLeft(Schema.decodeUnknownEither(LuccaConfig.ClientSecret)(Redacted.make(" sec"))).pipe(
          (left) => left._tag === "Some" ? left.value.message : ""
        ),
        "sec"
      )

      assert.deepStrictEqual(
        Schema.decodeUnknownSync(LuccaConfig.Scopes)(["employees.readonly", "employees.readonly"]),
        ["employees.readonly"]
      )
      assert.strictEqual(
        refusal(LuccaConfig.Scopes, "a b"),
        "must be an array of scopes, such as [\"a\",\"b\"], not a string"
      )

      assert.strictEqual(Schema.decodeUnknownSync(LuccaConfig.AccountUrl)(`${accountUrl}/`).href, `${accountUrl}/`)
      assert.strictEqual(
        refusal(LuccaConfig.AccountUrl, `${accountUrl}/lucca-api?x=1`),
        `must be an origin without a path, such as ${accountUrl}`
      )
      assert.strictEqual(
        refusal(LuccaConfig.AccountUrl, "https://me:pw@example.ilucca.net"),
        "must not contain credentials"
      )

      assert.strictEqual(refusal(LuccaConfig.TokenUrl, "http://127.0.0.1:8080/connect/token"), "accepted")
      assert.strictEqual(
        refusal(LuccaConfig.TokenUrl, "https://accounts.world.luccasoftware.com./connect/token"),
        "accepted"
      )
      assert.include(refusal(LuccaConfig.TokenUrl, "https://tokens.example.com/t"), "set dangerouslyAllowTokenUrl")

      assert.strictEqual(refusal(LuccaConfig.ApiVersion, "2024-11-01"), "accepted")
      assert.strictEqual(
        refusal(LuccaConfig.ApiVersion, "2024-02-31"),
        "must be a date such as 2024-11-01, and a real calendar day"
      )
    })

    it("ClientCredentials.checkTokenUrl is TokenUrl's rule, lifted to any https host by the opt-in", () => {
      const urls = [
        "https://accounts.world.luccasoftware.com/connect/token",
        "http://localhost:1/t",
        "https://[::1]/t",
        "http://accounts.world.luccasoftware.com/connect/token",
        "https://tokens.example.com/t",
        "https://me:pw@accounts.world.luccasoftware.com/connect/token",
        "ftp://127.0.0.1/t",
        "not a url"
      ]
      for (const url of urls) {
        const checked = ClientCredentials.checkTokenUrl(url)
        assert.strictEqual(checked ?? "accepted", refusal(LuccaConfig.TokenUrl, url), url)
      }
      assert.isUndefined(
        ClientCredentials.checkTokenUrl("https://tokens.example.com/t", { dangerouslyAllowTokenUrl: true })
      )
      assert.include(
        ClientCredentials.checkTokenUrl("http://tokens.example.com/t", { dangerouslyAllowTokenUrl: true })!,
        "must use https"
      )
    })

    // the same value, given as an option and as a variable: the same complaint
    const same: Array<[string, Partial<LuccaClient.Options>, Record<string, string>]> = [
      ["clientId", { clientId: " " }, { LUCCA_CLIENT_ID: " " }],
      ["clientSecret", { clientSecret: Redacted.make("sec\n") }, { LUCCA_CLIENT_SECRET: "sec\n" }],
      ["scopes", { scopes: ["employee.readonly", "leaves.read"] }, { LUCCA_SCOPES: "employee.readonly leaves.read" }],
      ["scopes", { scopes: [] }, { LUCCA_SCOPES: " , " }],
      ["accountUrl", { accountUrl: "http://example.ilucca.net" }, { LUCCA_ACCOUNT_URL: "http://example.ilucca.net" }],
      ["accountUrl", { accountUrl: `${accountUrl}/x` }, { LUCCA_ACCOUNT_URL: `${accountUrl}/x` }],
      ["tokenUrl", { tokenUrl: "https://tokens.example.com/t" }, { LUCCA_TOKEN_URL: "https://tokens.example.com/t" }],
      ["apiVersion", { apiVersion: "latest" }, { LUCCA_API_VERSION: "latest" }]
    ]
    for (const [option, overrides, vars] of same) {
      const variable = Object.keys(vars)[0]
      it.effect(`${option} and ${variable}: the same one-line message (${Object.values(vars)[0].trim() || "blank"})`, () =>
        Effect.gen(function*() {
          const fromOptions = yield* configError(overrides)
          const fromConfig = yield* Effect.flip(
            Effect.withConfigProvider(
              LuccaConfig.client,
              ConfigProvider.fromMap(new Map(Object.entries({ ...validEnv, ...vars })))
            )
          )
          assert.isTrue(ConfigError.isInvalidData(fromOptions) && ConfigError.isInvalidData(fromConfig))
          if (!ConfigError.isInvalidData(fromOptions) || !ConfigError.isInvalidData(fromConfig)) return
          assert.deepStrictEqual(fromOptions.path, [option])
          assert.deepStrictEqual(fromConfig.path, [variable])
          assert.strictEqual(fromConfig.message, fromOptions.message)
          assert.notInclude(fromConfig.message, "\n")
        }))
    }

    it.effect("URLs may be given as URL objects", () =>
      Effect.gen(function*() {
        const client = yield* LuccaClient.make({
          ...options,
          accountUrl: new URL("http://127.0.0.1:8080"),
          tokenUrl: new URL("http://localhost:8080/connect/token")
        }).pipe(Effect.provide(makeFake().layer), Effect.scoped)
        assert.strictEqual(client.accountUrl.origin, "http://127.0.0.1:8080")
        const error = yield* configError({ accountUrl: new URL(`${accountUrl}/lucca-api`) })
        assert.include(String(error), "accountUrl")
        assert.include(String(error), "without a path")
      }))
  })

  describe("functions and schedules are taken out before decoding, checked, and put back", () => {
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
          assert.isTrue(ConfigError.isInvalidData(error))
          if (!ConfigError.isInvalidData(error)) return
          assert.deepStrictEqual(error.path, [option])
          assert.include(error.message, message)
        }))
    }

    it.effect("TokenProvider.cached checks its backoff too", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          TokenProvider.cached(Effect.never, { tokenRetry: { backoff: 1 as never } }).pipe(Effect.scoped)
        )
        assert.include(String(error), "tokenRetry.backoff")
      }))

    it.scoped("the request backoff given is the one used", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onApi = () =>
          Effect.succeed(fake.state.apiRequests.length === 1 ? problem(503, "Busy") : new Response("{}"))
        const client = yield* LuccaClient.make({
          ...options,
          requestRetry: { backoff: Schedule.spaced("20 seconds"), times: 1 }
        }).pipe(Effect.provide(fake.layer))
        const request = yield* Effect.fork(client.get("/lucca-api/employees", Schema.Unknown))
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(fake.state.apiRequests.length, 1, "the default backoff would have retried by now")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(request)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }))

    it.scoped("the token backoff given is the one used", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = (n) => Effect.succeed(n === 1 ? new Response("busy", { status: 502 }) : okToken(n))
        const provider = yield* TokenProvider.make({
          ...credentials,
          tokenRetry: { backoff: Schedule.spaced("20 seconds") }
        }).pipe(Effect.provide(fake.layer))
        const token = yield* Effect.fork(provider.get)
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(fake.state.tokenRequests.length, 1, "the default backoff would have retried by now")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(token)
        assert.strictEqual(fake.state.tokenRequests.length, 2)
      }))

    it.scoped("transformClient is called on the options, as a method", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        const seen: Array<unknown> = []
        const given = {
          ...options,
          transformClient<C>(this: unknown, client: C): C {
            seen.push(this)
            return client
          }
        }
        yield* LuccaClient.make(given).pipe(Effect.provide(fake.layer))
        assert.deepStrictEqual(seen, [given])
      }))
  })
})
