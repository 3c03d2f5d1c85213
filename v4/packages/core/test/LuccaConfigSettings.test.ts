/**
 * The Effect 3 line's `LuccaConfig.test.ts` sections not yet in this line's
 * `LuccaConfig.test.ts`, ported: one rule per setting whether it comes as an option or as
 * a `LUCCA_*` variable, URL objects, and the functions and schedules the options carry
 * (the backoffs given are the ones used, `transformClient` is called as a method).
 */
import { ClientCredentials, LuccaClient, LuccaConfig, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { accountUrl, credentials, makeFake, okToken, problem } from "./fixtures.js"

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

/** The message of a schema's refusal, or "accepted". */
const refusal = (schema: Schema.Codec<any, any>, input: unknown): string =>
  Result.match(Schema.decodeUnknownResult(schema)(input), {
    onFailure: (error) => error.message,
    onSuccess: () => "accepted"
  })

describe("configuration", () => {
  describe("each setting is one schema, for options and configuration alike", () => {
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
        const refused = refusal(LuccaConfig.TokenUrl, url)
        if (checked === undefined) assert.strictEqual(refused, "accepted", url)
        // the schema's message is the rule's
        else assert.include(refused, checked, url)
      }
      assert.isUndefined(
        ClientCredentials.checkTokenUrl("https://tokens.example.com/t", { dangerouslyAllowTokenUrl: true })
      )
      assert.include(
        ClientCredentials.checkTokenUrl("http://tokens.example.com/t", { dangerouslyAllowTokenUrl: true })!,
        "must use https"
      )
    })

    // the assertions of the Effect 3 line's "the public schemas decode what the options take,
    // and say what is wrong", whose v4 counterpart (LuccaConfig.test.ts) checks the messages
    // with `include`: here each is exactly the Effect 3 line's
    it("the public schemas say what is wrong in the Effect 3 line's words, exactly", () => {
      assert.strictEqual(Schema.decodeUnknownSync(LuccaConfig.ClientId)("  my-client "), "my-client")
      assert.strictEqual(refusal(LuccaConfig.ClientId, " "), "must not be empty")
      assert.strictEqual(refusal(LuccaConfig.ClientId, 42), "must be a string, got number")

      assert.strictEqual(Redacted.value(Schema.decodeUnknownSync(LuccaConfig.ClientSecret)(Redacted.make("s"))), "s")
      assert.strictEqual(
        refusal(LuccaConfig.ClientSecret, Redacted.make("sec\n")),
        "must not start or end with whitespace (a line break read from a file?)"
      )
      assert.notInclude(refusal(LuccaConfig.ClientSecret, Redacted.make(" sec")), "sec")

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
            LuccaConfig.client.pipe(Effect.provide(env({ ...validEnv, ...vars })))
          )
          assert.instanceOf(fromOptions, Config.ConfigError)
          assert.instanceOf(fromConfig, Config.ConfigError)
          // Effect 4 renders a ConfigError as its SchemaError: the complaint, then the path
          const parts = (error: Config.ConfigError) =>
            /^SchemaError\(([^\n]*)\n {2}at \["([^"\n]+)"\]\)$/.exec(error.message)
          const fromOption = parts(fromOptions)
          const fromVariable = parts(fromConfig)
          assert.isNotNull(fromOption, fromOptions.message)
          assert.isNotNull(fromVariable, fromConfig.message)
          assert.strictEqual(fromOption![2], option)
          assert.strictEqual(fromVariable![2], variable)
          // the same one-line complaint, whichever way the value came
          assert.strictEqual(fromVariable![1], fromOption![1])
          assert.isAbove(fromOption![1].length, 0)
        }))
    }

    it.effect("URLs may be given as URL objects", () =>
      Effect.gen(function*() {
        const client = yield* LuccaClient.make({
          ...options,
          accountUrl: new URL("http://127.0.0.1:8080"),
          tokenUrl: new URL("http://localhost:8080/connect/token")
        }).pipe(Effect.provide(makeFake().layer))
        assert.strictEqual(client.accountUrl.origin, "http://127.0.0.1:8080")
        const error = yield* configError({ accountUrl: new URL(`${accountUrl}/lucca-api`) })
        assert.include(String(error), "accountUrl")
        assert.include(String(error), "without a path")
      }))
  })

  describe("functions and schedules are taken out before decoding, checked, and put back", () => {
    it.effect("the request backoff given is the one used", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onApi = () =>
          Effect.succeed(fake.state.apiRequests.length === 1 ? problem(503, "Busy") : new Response("{}"))
        const client = yield* LuccaClient.make({
          ...options,
          requestRetry: { backoff: Schedule.spaced("20 seconds"), times: 1 }
        }).pipe(Effect.provide(fake.layer))
        const request = yield* Effect.forkChild(client.get("/lucca-api/employees", Schema.Unknown))
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(fake.state.apiRequests.length, 1, "the default backoff would have retried by now")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(request)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }))

    it.effect("the token backoff given is the one used", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = (n) => Effect.succeed(n === 1 ? new Response("busy", { status: 502 }) : okToken(n))
        const provider = yield* TokenProvider.make({
          ...credentials,
          tokenRetry: { backoff: Schedule.spaced("20 seconds") }
        }).pipe(Effect.provide(fake.layer))
        const token = yield* Effect.forkChild(provider.get)
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(fake.state.tokenRequests.length, 1, "the default backoff would have retried by now")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(token)
        assert.strictEqual(fake.state.tokenRequests.length, 2)
      }))

    it.effect("transformClient is called on the options, as a method", () =>
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
