/**
 * NodeLucca end to end, over real loopback sockets: undici against the Effect 3 line's
 * emulator served on 127.0.0.1 in a child process (see `emulator.ts`).
 */
import { LuccaClient, LuccaError } from "@effect-lucca/core"
import * as LuccaResources from "@effect-lucca/core/LuccaResources"
import { NodeLucca } from "@effect-lucca/platform-node"
import { assert, layer } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Emulator from "./emulator.js"

const Employee = Schema.Struct({ id: Schema.String, givenName: Schema.String })

const options = (emulator: Emulator.Emulator, scopes: ReadonlyArray<string> = ["employees.readonly"]) => ({
  clientId: emulator.clientId,
  clientSecret: emulator.clientSecret,
  scopes,
  tokenUrl: emulator.tokenUrl,
  accountUrl: emulator.accountUrl,
  rateLimit: false as const
})

/** `GET /lucca-api/employees?include=totalCount`: how many employees the account says it has. */
const totalCount = Effect.map(
  LuccaClient.get(
    "/lucca-api/employees",
    Schema.Struct({ totalCount: Schema.Number }),
    { urlParams: { include: "totalCount", limit: "1" } }
  ),
  (page) => page.totalCount
)

// One emulator for the file: its data set is read-only here, and starting one takes seconds.
// The live clock: these are real sockets.
layer(Emulator.layer, { timeout: 120_000, excludeTestServices: true })(
  "NodeLucca against the emulator on loopback",
  (it) => {
    it.effect("a program using LuccaClient.paginate with NodeLucca.layer lists every employee", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.FakeLucca
        const [employees, total] = yield* Effect.all([
          Stream.runCollect(LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 10 })),
          totalCount
        ]).pipe(Effect.provide(NodeLucca.layer(options(emulator))))
        assert.isAbove(total, 10, "more than one page")
        assert.strictEqual(employees.length, total)
        assert.strictEqual(new Set(employees.map((e) => e.id)).size, total)
        assert.isTrue(employees.every((e) => e.givenName.length > 0))
      }))

    it.effect("the generated schemas decode what the emulator serves", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.FakeLucca
        const employees = yield* Stream.runCollect(
          LuccaClient.paginate("/lucca-api/employees", LuccaResources.Employee, { limit: 100 })
        ).pipe(Effect.provide(NodeLucca.layer(options(emulator))))
        assert.isAbove(employees.length, 0)
        assert.isTrue(employees.every((e) => e.type === "employee"))
      }))

    it.effect("200 concurrent requests on a cold cache share one token request", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.FakeLucca
        // undici, counting what it sends to the token endpoint
        let tokenRequests = 0
        const counting = Layer.effect(
          HttpClient.HttpClient,
          Effect.map(HttpClient.HttpClient, (client) =>
            HttpClient.tapRequest(client, (request) =>
              Effect.sync(() => {
                if (request.url === emulator.tokenUrl) tokenRequests++
              })))
        ).pipe(Layer.provide(NodeLucca.layerHttpClient))
        const responses = yield* Effect.flatMap(LuccaClient.LuccaClient, (client) =>
          Effect.all(
            Array.from({ length: 200 }, () => client.execute(HttpClientRequest.get("/lucca-api/employees?limit=1"))),
            { concurrency: "unbounded" }
          )).pipe(Effect.provide(LuccaClient.layer(options(emulator)).pipe(Layer.provide(counting))))
        assert.isTrue(responses.every((response) => response.status === 200))
        assert.strictEqual(tokenRequests, 1)
      }))

    it.effect("layerConfig reads the LUCCA_* variables, and a missing scope is a typed Forbidden", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.FakeLucca
        const env = {
          LUCCA_CLIENT_ID: emulator.clientId,
          LUCCA_CLIENT_SECRET: Redacted.value(emulator.clientSecret),
          LUCCA_SCOPES: "employees.readonly,departments.readonly",
          LUCCA_ACCOUNT_URL: emulator.accountUrl,
          LUCCA_TOKEN_URL: emulator.tokenUrl
        }
        const [forbidden, departments] = yield* Effect.all([
          Effect.flip(LuccaClient.get("/lucca-api/events", Schema.Unknown)),
          Stream.runCount(LuccaClient.paginate("/lucca-api/departments", Schema.Unknown))
        ]).pipe(
          Effect.provide(
            NodeLucca.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
          )
        )
        assert.instanceOf(forbidden, LuccaError.Forbidden)
        if (forbidden._tag === "Forbidden") {
          assert.deepStrictEqual(forbidden.grantedScopes, ["employees.readonly", "departments.readonly"])
          assert.strictEqual(forbidden.suggestedScope, "events.readonly")
        }
        assert.isAbove(departments, 0)
      }))

    it.effect("a wrong secret is an OAuthError invalid_client, which never quotes the secret", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.FakeLucca
        const error = yield* Effect.flip(
          LuccaClient.get("/lucca-api/employees", Schema.Unknown).pipe(
            Effect.provide(NodeLucca.layer({ ...options(emulator), clientSecret: Redacted.make("not-the-secret-123") }))
          )
        )
        assert.instanceOf(error, LuccaError.OAuthError)
        if (error._tag === "OAuthError") {
          assert.strictEqual(error.error, "invalid_client")
          assert.isFalse(error.transient)
        }
        assert.notInclude(JSON.stringify(error), "not-the-secret-123")
        assert.notInclude(error.message, "not-the-secret-123")
      }))
  }
)
