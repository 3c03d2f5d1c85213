/**
 * The core behaviours end to end, over real loopback sockets: NodeLucca's undici client
 * against the emulator served on 127.0.0.1.
 */
import { LuccaClient, LuccaError, TokenProvider } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"

const Employee = Schema.Struct({
  id: Schema.String,
  applicableJobPosition: Schema.Struct({ id: Schema.String })
})

/** A fresh emulator on loopback, and a client for `scopes` of the given application. */
const setup = (options?: {
  readonly scopes?: ReadonlyArray<string>
  readonly application?: FakeLucca.ApplicationOptions
}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(FakeLuccaServer.layerFake())
    const fake = yield* Effect.provide(FakeLucca.FakeLucca, context)
    const server = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, context)
    const application = options?.application === undefined
      ? undefined
      : yield* fake.registerApplication(options.application)
    // the client over a provider of its own, so that tests can watch the provider
    const built = yield* Layer.build(
      Layer.unwrap(
        Effect.map(
          TokenProvider.TokenProvider,
          (tokenProvider) => LuccaClient.layer({ accountUrl: server.url, rateLimit: false, tokenProvider })
        )
      ).pipe(
        Layer.provideMerge(NodeLucca.layerTokenProvider({
          clientId: application?.clientId ?? FakeLucca.defaultClientId,
          clientSecret: application?.clientSecret ?? Redacted.make(FakeLucca.defaultClientSecret),
          scopes: options?.scopes ?? ["employees.readonly", "events.readonly"],
          tokenUrl: server.tokenUrl
        })),
        Layer.provide(NodeLucca.layerHttpClient)
      )
    )
    const client = yield* Effect.provide(LuccaClient.LuccaClient, built)
    const tokenProvider = yield* Effect.provide(TokenProvider.TokenProvider, built)
    return { fake, server, client, tokenProvider }
  })

describe("NodeLucca against the emulator on loopback", () => {
  it.effect("200 concurrent requests on a cold cache share one token request", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      const responses = yield* Effect.all(
        Array.from({ length: 200 }, () => client.execute(HttpClientRequest.get("/lucca-api/employees?limit=1"))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(responses.every((response) => response.status === 200))
      const stats = yield* fake.stats
      assert.strictEqual(stats.token.issued, 1)
      assert.strictEqual(stats.api.byStatus["200"], 200)
    }))

  it.effect("layerConfig reads the LUCCA_* variables", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(FakeLuccaServer.layerFake())
      const server = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, context)
      const env = {
        LUCCA_CLIENT_ID: FakeLucca.defaultClientId,
        LUCCA_CLIENT_SECRET: FakeLucca.defaultClientSecret,
        LUCCA_SCOPES: "employees.readonly,departments.readonly",
        LUCCA_ACCOUNT_URL: server.url,
        LUCCA_TOKEN_URL: server.tokenUrl
      }
      const client = yield* Effect.provide(
        LuccaClient.LuccaClient,
        yield* Layer.build(
          NodeLucca.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
        )
      )
      // the scopes granted, as the Forbidden of an endpoint outside them reports them
      const forbidden = yield* Effect.flip(client.get("/lucca-api/events", Schema.Unknown))
      assert.strictEqual(forbidden._tag, "Forbidden")
      if (forbidden._tag === "Forbidden") {
        assert.deepStrictEqual(forbidden.grantedScopes, ["employees.readonly", "departments.readonly"])
      }
      const departments = yield* Stream.runCount(client.paginate("/lucca-api/departments", Schema.Unknown))
      assert.isAbove(departments, 0)
    }))

  it.effect("short tokens are refreshed ahead of expiry, in the background", () =>
    Effect.gen(function*() {
      const { client, fake, tokenProvider } = yield* setup()
      yield* fake.setTokenLifetime("60 seconds")
      const first = yield* tokenProvider.get
      // a 60 s token: refresh ahead from half its life, callers wait only in its last 6 s
      yield* TestClock.adjust("35 seconds")
      const served = yield* tokenProvider.get
      assert.strictEqual(Redacted.value(served.value), Redacted.value(first.value))
      let next = served
      for (let i = 0; i < 200 && Redacted.value(next.value) === Redacted.value(first.value); i++) {
        // the background refresh does real socket I/O: give it real time
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
        next = yield* tokenProvider.get
      }
      assert.notStrictEqual(Redacted.value(next.value), Redacted.value(first.value))
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees?limit=1"))
      assert.strictEqual(response.status, 200)
      assert.strictEqual((yield* fake.stats).token.issued, 2)
    }))

  it.effect("a revoked token is recovered with one retry", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      yield* client.get("/lucca-api/employees", Schema.Unknown)
      assert.strictEqual(yield* fake.revokeTokens(), 1)
      const page = yield* client.get("/lucca-api/employees", Schema.Unknown)
      assert.isDefined(page)
      const stats = yield* fake.stats
      assert.strictEqual(stats.token.issued, 2)
      assert.strictEqual(stats.api.byStatus["401"], 1)
    }))

  it.effect("a disabled application: the 401 retry's token request is refused", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      yield* client.get("/lucca-api/employees", Schema.Unknown)
      yield* fake.disable(FakeLucca.defaultClientId)
      const error = yield* Effect.flip(client.get("/lucca-api/employees", Schema.Unknown))
      // the 401 invalidates the token, and the new token request is refused
      assert.strictEqual(error._tag, "OAuthError")
      if (error._tag === "OAuthError") assert.strictEqual(error.error, "invalid_client")
    }))

  it.effect("a missing scope is a typed Forbidden", () =>
    Effect.gen(function*() {
      const { client } = yield* setup({ scopes: ["employees.readonly"] })
      const error = yield* Effect.flip(client.get("/lucca-api/events", Schema.Unknown))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag === "Forbidden") {
        assert.strictEqual(error.suggestedScope, "events.readonly")
        assert.deepStrictEqual(error.grantedScopes, ["employees.readonly"])
      }
    }))

  it.effect("paginate follows the cursors across pages", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      const employees = yield* Stream.runCollect(client.paginate("/lucca-api/employees", Employee, { limit: 10 }))
      const data = yield* fake.data()
      assert.strictEqual(employees.length, data.resources.employees.length)
      assert.strictEqual(new Set(Array.from(employees, (e) => e.id)).size, data.resources.employees.length)
      assert.isAtLeast((yield* fake.stats).api.byStatus["200"], 10)
    }))

  it.effect("results are filtered to the application's business establishments", () =>
    Effect.gen(function*() {
      const data = yield* FakeLucca.make().pipe(Effect.flatMap((fake) => fake.data()))
      const establishment = data.resources["business-establishments"][0].id
      const { client } = yield* setup({
        scopes: ["employees.readonly"],
        application: { name: "Paris only", scopes: ["employees.readonly"], businessEstablishmentIds: [establishment] }
      })
      const employees = yield* Stream.runCollect(client.paginate("/lucca-api/employees", Employee, { limit: 100 }))
      // an employee belongs to the establishment of its applicable job position
      const positions = data.resources["job-positions"]
        .filter((p) => (p.businessEstablishment as { id: string }).id === establishment)
      const expected = new Set(positions.map((p) => p.id))
      assert.isAbove(expected.size, 0)
      assert.strictEqual(employees.length, expected.size)
      assert.isTrue(Array.from(employees).every((e) => expected.has(e.applicableJobPosition.id)))
    }))
})

describe("NodeLucca.layer given what a plain JavaScript caller passes", () => {
  const base = {
    clientId: FakeLucca.defaultClientId,
    clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
    scopes: ["employees.readonly"],
    accountUrl: "https://example.ilucca.net"
  }
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["no client id", { clientId: undefined }, "clientId", "must be a string, got undefined"],
    ["Redacted.make(undefined) as secret", { clientSecret: Redacted.make(undefined) }, "clientSecret", "Redacted"],
    ["one string of scopes", { scopes: "departments.readonly" }, "scopes", "must be an array of scopes"]
  ]
  for (const [name, overrides, option, message] of cases) {
    it.effect(`${name}: a ConfigError naming ${option}, not a crash`, () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(
          Layer.build(NodeLucca.layer({ ...base, ...overrides } as never)).pipe(Effect.scoped)
        )
        assert.isTrue(Exit.isFailure(exit) && !Exit.hasInterrupts(exit))
        if (Exit.isSuccess(exit)) return
        const failure = Cause.findErrorOption(exit.cause)
        assert.isTrue(Option.isSome(failure), `a defect instead of a typed error: ${Cause.pretty(exit.cause)}`)
        if (Option.isNone(failure)) return
        assert.instanceOf(failure.value, Config.ConfigError)
        assert.include(String(failure.value), option)
        assert.include(String(failure.value), message)
        // one complaint, not one per character of the string
        assert.notInclude(String(failure.value), "is not a Lucca scope")
      }))
  }
})
