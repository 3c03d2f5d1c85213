import { LuccaClient, LuccaError, TokenProvider } from "@effect-lucca/core"
import * as SecretHygiene from "@effect-lucca/testing/SecretHygiene"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { accountUrl, bearer, clientSecret, credentials, json, makeFake, problem, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl, rateLimit: false } as const
const secrets = { clientSecret, token1: tokenFor(1), token2: tokenFor(2), token3: tokenFor(3) }

describe("secret hygiene", () => {
  it.scoped("no secret or token in any error, log line or span across failure paths", () =>
    Effect.gen(function*() {
      const harness = SecretHygiene.make()
      const { run } = harness
      const fake = makeFake()
      const built = yield* TokenProvider.make(options).pipe(
        Effect.flatMap((tokenProvider) =>
          Effect.map(LuccaClient.make({ ...options, tokenProvider }), (lucca) => [tokenProvider, lucca] as const)
        ),
        Effect.provide(fake.layer),
        run
      )
      assert.isTrue(Exit.isSuccess(built))
      if (Exit.isFailure(built)) {
        return
      }
      const [tokenProvider, lucca] = built.value

      // success, then 401 twice, then a 403, then a decode error and a problem+json error
      yield* run(lucca.get("/lucca-api/employees/1", Schema.Unknown))
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized"))
      const unauthorized = yield* run(lucca.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.isTrue(Exit.isFailure(unauthorized))
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden"))
      yield* run(lucca.execute(HttpClientRequest.get("/lucca-api/leaves")))
      fake.state.onApi = () => Effect.succeed(json(200, { id: 5 }))
      yield* run(lucca.get("/lucca-api/employees/1", Schema.Struct({ id: Schema.String })))
      fake.state.onApi = () => Effect.succeed(problem(400, "Bad Request", "nope"))
      yield* run(lucca.get("/lucca-api/employees/1", Schema.Unknown))

      // the token endpoint echoing the secret, then a failed refresh ahead (a warning log)
      fake.state.onToken = () =>
        Effect.succeed(json(401, { error: "invalid_client", error_description: `bad secret ${clientSecret}` }))
      yield* TestClock.adjust("26 minutes")
      yield* run(tokenProvider.get)
      yield* run(Effect.yieldNow())
      yield* TestClock.adjust("4 minutes")
      const refused = yield* run(tokenProvider.get)
      assert.isTrue(Exit.isFailure(refused))

      // a transport failure of an API call carries the request, whose headers hold the token
      const broken = yield* LuccaClient.make({
        tokenProvider,
        accountUrl,
        requestRetry: false
      }).pipe(
        Effect.provideService(
          HttpClient.HttpClient,
          HttpClient.make((request) =>
            Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("reset") }))
          )
        )
      )
      fake.state.onToken = (n) => Effect.succeed(json(200, { access_token: tokenFor(n), token_type: "Bearer" }))
      const transport = yield* run(broken.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.isTrue(Exit.isFailure(transport))

      // the scenarios did produce tokens, errors, logs and spans to inspect
      assert.isAbove(fake.state.apiRequests.filter((r) => bearer(r) !== undefined).length, 3)
      assert.isAbove(harness.logCount(), 0)
      assert.include(harness.spanNames, "ClientCredentials.requestToken")
      assert.isTrue(harness.texts.some((t) => t.includes("Forbidden")))
      assert.isTrue(harness.texts.some((t) => t.includes("invalid_client")))
      assert.deepStrictEqual(harness.leaks(secrets), [])
    }))

  // Plain async test on purpose: `Inspectable.redact` only works inside a running fiber, and
  // user code often logs what a rejected promise carries outside of one.
  it("responses and errors render without the token outside a fiber", async () => {
    const token = "a-token-that-must-not-leak"
    const fake = makeFake()
    const client = await Effect.runPromise(
      LuccaClient.make({ tokenProvider: TokenProvider.makeStatic(token), accountUrl, requestRetry: false }).pipe(
        Effect.provide(fake.layer)
      )
    )
    const response = await Effect.runPromise(client.execute(HttpClientRequest.get("/lucca-api/employees")))
    assert.strictEqual(bearer(fake.state.apiRequests[0]), token, "the token was sent")
    const broken = await Effect.runPromise(
      LuccaClient.make({ tokenProvider: TokenProvider.makeStatic(token), accountUrl, requestRetry: false }).pipe(
        Effect.provideService(
          HttpClient.HttpClient,
          HttpClient.make((request) =>
            Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("reset") }))
          )
        )
      )
    )
    const failure = await Effect.runPromiseExit(broken.execute(HttpClientRequest.get("/lucca-api/employees")))
    assert.isTrue(Exit.isFailure(failure))
    const error = Exit.isFailure(failure) ? failure.cause : undefined
    for (const rendering of [...SecretHygiene.renderings(response), ...SecretHygiene.renderings(error)]) {
      assert.notInclude(rendering, token)
    }
    assert.strictEqual(response.status, 200, "the response still works")
    assert.deepStrictEqual(await Effect.runPromise(response.json), { ok: true })
  })

  it("the harness does see a secret that leaks", () => {
    const harness = SecretHygiene.make()
    harness.record(new LuccaError.ApiError({ method: "GET", url: "u", status: 500, detail: clientSecret }))
    assert.deepStrictEqual(harness.leaks({ clientSecret }), ["clientSecret"])
  })

  it("a secret holding a lone surrogate is looked for as written, never a URIError", () => {
    const lone = Redacted.make("s3cr3t\ud800")
    const harness = SecretHygiene.make()
    assert.deepStrictEqual(harness.leaks({ lone }), [])
    harness.record(new LuccaError.ApiError({ method: "GET", url: "u", status: 500, detail: "s3cr3t\ud800" }))
    assert.deepStrictEqual(harness.leaks({ lone }), ["lone"])
  })
})
