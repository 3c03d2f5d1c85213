import { LuccaClient, LuccaError, LuccaPacing, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { accountUrl, bearer, credentials, eventually, json, makeFake, problem, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl }

const setup = Effect.gen(function*() {
  const fake = makeFake()
  const client = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
  return { fake, client }
})

const Employee = Schema.Struct({ id: Schema.String, name: Schema.String })

describe("LuccaClient", () => {
  it.effect("resolves paths on the account and sends the token, Api-Version and Accept", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      assert.strictEqual(response.status, 200)
      const sent = fake.state.apiRequests[0]
      assert.strictEqual(sent.url.href, "https://example.ilucca.net/lucca-api/employees")
      assert.strictEqual(sent.headers["authorization"], `Bearer ${tokenFor(1)}`)
      assert.strictEqual(sent.headers["api-version"], "2024-11-01")
      assert.strictEqual(sent.headers["accept"], "application/json")
    }))

  it.effect("a 401 invalidates the token and retries once with a fresh one", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(200, { ok: true }))
      const response = yield* client.execute(
        HttpClientRequest.post("/lucca-api/leaves").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 }))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), [tokenFor(1), tokenFor(2)])
      assert.deepStrictEqual(fake.state.apiRequests.map((r) => r.body), ["{\"a\":1}", "{\"a\":1}"])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a second 401 fails with Unauthorized", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized", "please refresh your token"))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.instanceOf(error, LuccaError.Unauthorized)
      if (error._tag !== "Unauthorized") return
      assert.isTrue(error.retried)
      assert.strictEqual(error.detail, "please refresh your token")
      assert.strictEqual(fake.state.apiRequests.length, 2)
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a request with a stream body is not replayed after a 401", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(401, "Unauthorized"))
      const request = HttpClientRequest.post("/lucca-api/files").pipe(
        HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("data")))
      )
      const error = yield* Effect.flip(client.execute(request))
      assert.instanceOf(error, LuccaError.Unauthorized)
      if (error._tag !== "Unauthorized") return
      assert.isFalse(error.retried)
      assert.strictEqual(fake.state.apiRequests.length, 1)
    }))

  it.effect("100 concurrent 401s on one token cause one new token request", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = yield* LuccaClient.make({ ...options, rateLimit: false }).pipe(Effect.provide(fake.layer))
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(200, { ok: true }))
      const responses = yield* Effect.all(
        Array.from({ length: 100 }, () => client.execute(HttpClientRequest.get("/lucca-api/employees"))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(responses.every((r) => r.status === 200))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a 403 fails with Forbidden, explains the missing scope and is not retried", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden", "Insufficient scope"))
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/leaves?limit=2")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.strictEqual(error.method, "GET")
      assert.strictEqual(error.url, "https://example.ilucca.net/lucca-api/leaves")
      assert.deepStrictEqual(error.grantedScopes, ["employees.readonly", "departments.readonly"])
      assert.strictEqual(error.suggestedScope, "leaves.readonly")
      assert.strictEqual(error.title, "Forbidden")
      assert.strictEqual(error.detail, "Insufficient scope")
      assert.include(error.message, "https://example.ilucca.net/identity/admin/integration-keys")
      assert.include(error.message, "leaves.readonly")
      // the sentence that says what to do names what to grant
      assert.include(error.message, "Grant leaves.readonly to the client application at https://example.ilucca.net/")
      assert.strictEqual(fake.state.apiRequests.length, 1)
      assert.strictEqual(fake.state.tokenRequests.length, 1)
    }))

  it.effect("a 403 on an operation of Lucca's description names every scope it accepts", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden"))
      // professions are read with the job-qualifications scopes, not a "professions" scope
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/professions/89")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.deepStrictEqual(error.acceptedScopes, ["job-qualifications.readonly", "job-qualifications.readwrite"])
      assert.deepStrictEqual(error.grantedAcceptedScopes, [])
      assert.strictEqual(error.suggestedScope, "job-qualifications.readonly")
      assert.include(error.message, "accepts job-qualifications.readonly or job-qualifications.readwrite")
      assert.include(error.message, "has none of them")
      assert.include(error.message, "Grant one of them, such as job-qualifications.readonly, to the client application")
    }))

  it("Forbidden names the scope to grant, whatever it knows of the operation", () => {
    const one = new LuccaError.Forbidden({
      method: "GET",
      url: "https://example.ilucca.net/lucca-api/events",
      grantedScopes: ["employees.readonly"],
      acceptedScopes: ["events.readonly"],
      suggestedScope: "events.readonly"
    })
    assert.include(one.message, "Grant events.readonly to the client application")
    const unknown = new LuccaError.Forbidden({ method: "GET", url: "/somewhere", grantedScopes: [] })
    assert.notInclude(unknown.message, "Grant it")
    assert.include(unknown.message, "Grant the scope of this endpoint")
  })

  it.effect("a 403 although the token holds an accepted scope says the refusal is about something else", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(403, "Forbidden"))
      // the setup's token is granted employees.readonly
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("/lucca-api/employees/1")))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.deepStrictEqual(error.grantedAcceptedScopes, ["employees.readonly"])
      assert.include(error.message, "although the token holds employees.readonly")
      assert.notInclude(error.message, "has none of them")
    }))

  it.effect("other statuses are returned as responses", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      fake.state.onApi = () => Effect.succeed(problem(404, "Not Found"))
      const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees/nope"))
      assert.strictEqual(response.status, 404)
    }))

  it.effect("refuses to send the token to another origin, however the URL is written", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      for (
        const url of [
          "https://evil.example.com/steal",
          "//evil.example.com/steal",
          "/\\evil.example.com/steal",
          "\\\\evil.example.com/steal",
          "http://example.ilucca.net/lucca-api/employees"
        ]
      ) {
        const error = yield* Effect.flip(client.execute(HttpClientRequest.get(url)))
        assert.instanceOf(error, LuccaError.ForeignOriginError, url)
      }
      assert.strictEqual(fake.state.apiRequests.length, 0)
      assert.strictEqual(fake.state.tokenRequests.length, 0)
    }))

  describe("JSON helpers", () => {
    it.effect("decode a body with a Schema", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () => Effect.succeed(json(200, { id: "1", name: "Ada", extra: true }))
        const employee = yield* client.get("/lucca-api/employees/1", Employee)
        assert.deepStrictEqual(employee, { id: "1", name: "Ada" })
      }))

    it.effect("turn problem+json into ApiError", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () =>
          Effect.succeed(
            new Response(
              JSON.stringify({
                type: "https://httpstatuses.io/400",
                title: "Bad Request",
                status: 400,
                errors: { startsOn: ["is required"] },
                extensions: { traceId: "trace-1" }
              }),
              { status: 400, headers: { "content-type": "application/problem+json" } }
            )
          )
        const error = yield* Effect.flip(client.get("/lucca-api/leaves", Employee))
        assert.instanceOf(error, LuccaError.ApiError)
        if (error._tag !== "ApiError") return
        assert.strictEqual(error.status, 400)
        assert.strictEqual(error.title, "Bad Request")
        assert.deepStrictEqual(error.errors, { startsOn: ["is required"] })
        assert.strictEqual(error.traceId, "trace-1")
        assert.include(error.message, "startsOn: is required")
      }))

    it.effect("name the path of a body that does not match", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () =>
          Effect.succeed(json(200, { items: [{ id: "1", name: "Ada" }, { id: 2, name: "Bob" }], links: null }))
        const error = yield* Effect.flip(Stream.runCollect(client.paginate("/lucca-api/employees", Employee)))
        assert.instanceOf(error, LuccaError.ResponseDecodeError)
        if (error._tag !== "ResponseDecodeError") return
        assert.strictEqual(error.path, "items[1].id")
      }))

    it.effect("report a truncated body as a decode error", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () => Effect.succeed(new Response("{\"id\": \"1\", \"na", { status: 200 }))
        const error = yield* Effect.flip(client.get("/lucca-api/employees/1", Employee))
        assert.instanceOf(error, LuccaError.ResponseDecodeError)
        if (error._tag !== "ResponseDecodeError") return
        assert.strictEqual(error.path, "")
        assert.include(error.description, "not valid JSON")
      }))
  })

  it.effect("pages gives each page with the response that held it, over a fetch of the caller's", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      const all = Array.from({ length: 7 }, (_, i) => ({ id: String(i), name: `E${i}` }))
      fake.state.onApi = (request) => {
        const page = Number(request.url.searchParams.get("page") ?? "0")
        const next = page + 3 < all.length ? { href: `/lucca-api/employees?page=${page + 3}&limit=3` } : null
        return Effect.succeed(json(200, { items: all.slice(page, page + 3), links: { next } }))
      }
      const pages = yield* Stream.runCollect(
        LuccaClient.pages(
          LuccaClient.firstPage("/lucca-api/employees", { limit: 3 }),
          Employee,
          (request, schema) =>
            Effect.flatMap(
              client.execute(request),
              (response) => Effect.map(LuccaClient.decodeResponse(response, schema), (value) => ({ value, response }))
            )
        )
      )
      assert.deepStrictEqual(pages.map((page) => page.items.length), [3, 3, 1])
      assert.deepStrictEqual(pages.flatMap((page) => page.items), all)
      assert.deepStrictEqual(pages.map((page) => page.response.status), [200, 200, 200])
      // the first page asks for the links; the relative ones resolve against the page that held them
      assert.strictEqual(fake.state.apiRequests[0].url.searchParams.get("include"), "links")
      assert.deepStrictEqual(fake.state.apiRequests.map((request) => request.url.searchParams.get("page")), [
        null,
        "3",
        "6"
      ])
    }))

  it.effect("paginate follows links.next.href to the end", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup
      const all = Array.from({ length: 7 }, (_, i) => ({ id: String(i), name: `E${i}` }))
      fake.state.onApi = (request) => {
        const page = Number(request.url.searchParams.get("page") ?? "0")
        const limit = Number(request.url.searchParams.get("limit"))
        const next = page + limit < all.length
          ? { href: `${accountUrl}/lucca-api/employees?page=${page + limit}&limit=${limit}&include=links` }
          : null
        return Effect.succeed(json(200, {
          type: "employees",
          items: all.slice(page, page + limit),
          links: request.url.searchParams.get("include")?.includes("links") ? { prev: null, next } : undefined
        }))
      }
      const items = yield* Stream.runCollect(
        client.paginate("/lucca-api/employees", Employee, { limit: 3, urlParams: { "department.id": "4" } })
      )
      assert.deepStrictEqual(items, all)
      assert.strictEqual(fake.state.apiRequests.length, 3)
      const first = fake.state.apiRequests[0].url
      assert.strictEqual(first.searchParams.get("include"), "links")
      assert.strictEqual(first.searchParams.get("limit"), "3")
      assert.strictEqual(first.searchParams.get("department.id"), "4")
      assert.strictEqual(fake.state.tokenRequests.length, 1)
    }))

  describe("transient answers and pacing", () => {
    it.effect("a 429 waits for Retry-After and is retried", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () =>
          Effect.succeed(
            fake.state.apiRequests.length === 1
              ? new Response(null, { status: 429, headers: { "retry-after": "3" } })
              : json(200, { ok: true })
          )
        const request = yield* Effect.forkChild(client.execute(HttpClientRequest.get("/lucca-api/employees")))
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(fake.state.apiRequests.length, 1)
        yield* TestClock.adjust("1 second")
        const response = yield* Fiber.join(request)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }))

    it.effect("a Retry-After longer than maxRetryAfter is not slept: the 429 is returned", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () =>
          Effect.succeed(
            new Response(JSON.stringify({ title: "Too Many Requests", status: 429 }), {
              status: 429,
              headers: { "content-type": "application/problem+json", "retry-after": "3600" }
            })
          )
        const error = yield* Effect.flip(client.get("/lucca-api/employees", Schema.Unknown))
        assert.instanceOf(error, LuccaError.ApiError)
        if (error._tag !== "ApiError") return
        assert.strictEqual(error.status, 429)
        assert.strictEqual(error.retryAfterMillis, 3_600_000)
        assert.strictEqual(fake.state.apiRequests.length, 1)
      }))

    it.effect("a 429 is retried for a POST too: the server did not process it", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        fake.state.onApi = () =>
          Effect.succeed(
            fake.state.apiRequests.length === 1
              ? new Response(null, { status: 429, headers: { "retry-after": "1" } })
              : json(201, { id: "1" })
          )
        const post = HttpClientRequest.post("/lucca-api/leaves").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 }))
        const response = yield* Effect.forkChild(client.execute(post))
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(response)).status, 201)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }))

    it.effect("a 503 on a GET is retried with backoff until it gives up, then returned", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onApi = () => Effect.succeed(problem(503, "Service Unavailable"))
        const client = yield* LuccaClient.make({ ...options, requestRetry: { times: 3 } }).pipe(
          Effect.provide(fake.layer)
        )
        const request = yield* Effect.forkChild(client.get("/lucca-api/employees", Schema.Unknown))
        yield* TestClock.adjust("1 minute")
        const error = yield* Effect.flip(Fiber.join(request))
        assert.instanceOf(error, LuccaError.ApiError)
        if (error._tag !== "ApiError") return
        assert.strictEqual(error.status, 503)
        assert.strictEqual(error.title, "Service Unavailable", "the last answer's body is kept")
        assert.strictEqual(fake.state.apiRequests.length, 4)
      }))

    it.effect("a failure that is not retried, after a retried answer, is a typed error, not a defect", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        // 503 (retried), then 401 twice (the second with a fresh token): Unauthorized
        fake.state.onApi = () =>
          Effect.succeed(fake.state.apiRequests.length === 1 ? problem(503, "Busy") : problem(401, "Unauthorized"))
        const get = yield* Effect.forkChild(Effect.flip(client.get("/lucca-api/employees", Schema.Unknown)))
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(get))._tag, "Unauthorized")
        // the same for a POST after a 429
        fake.state.apiRequests.length = 0
        fake.state.onApi = () =>
          Effect.succeed(
            fake.state.apiRequests.length === 1
              ? new Response(null, { status: 429, headers: { "retry-after": "1" } })
              : problem(403, "Forbidden")
          )
        const post = yield* Effect.forkChild(
          Effect.flip(client.post("/lucca-api/leaves", Schema.Unknown, { body: { a: 1 } }))
        )
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(post))._tag, "Forbidden")
      }))

    it.effect("a dropped connection on a GET is retried; on a POST it is not", () =>
      Effect.gen(function*() {
        let attempts = 0
        const flaky = HttpClient.make((request) => {
          attempts++
          return attempts % 2 === 1
            ? Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.TransportError({ request, cause: new Error("reset") })
              })
            )
            : Effect.succeed(HttpClientResponse.fromWeb(request, json(200, { ok: true })))
        })
        const client = yield* LuccaClient.make({ tokenProvider: TokenProvider.makeStatic("t"), accountUrl }).pipe(
          Effect.provideService(HttpClient.HttpClient, flaky)
        )
        const get = yield* Effect.forkChild(client.execute(HttpClientRequest.get("/lucca-api/employees")))
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(get)).status, 200)
        assert.strictEqual(attempts, 2)
        const error = yield* Effect.flip(client.execute(HttpClientRequest.post("/lucca-api/leaves")))
        assert.strictEqual(error._tag, "HttpClientError")
        if (error._tag === "HttpClientError") assert.strictEqual(error.reason._tag, "TransportError")
        assert.strictEqual(attempts, 3)
      }))

    it.effect("a POST is not retried after a 503 unless opted in", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onApi = () =>
          Effect.succeed(fake.state.apiRequests.length === 1 ? problem(503, "Busy") : json(201, { id: "1" }))
        const post = HttpClientRequest.post("/lucca-api/leaves").pipe(HttpClientRequest.bodyJsonUnsafe({ a: 1 }))
        const strict = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
        assert.strictEqual((yield* strict.execute(post)).status, 503)
        assert.strictEqual(fake.state.apiRequests.length, 1)

        fake.state.apiRequests.length = 0
        const lenient = yield* LuccaClient.make({ ...options, requestRetry: { nonIdempotent: true } }).pipe(
          Effect.provide(fake.layer)
        )
        const response = yield* Effect.forkChild(lenient.execute(post))
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(response)).status, 201)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }))

    it.effect("pacing keeps every minute under Lucca's 50 requests", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        const sentAt: Array<number> = []
        fake.state.onApi = () =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            sentAt.push(now)
            return json(200, { ok: true })
          })
        const batch = yield* Effect.forkChild(
          Effect.all(Array.from({ length: 120 }, () => client.execute(HttpClientRequest.get("/lucca-api/employees"))), {
            concurrency: 10
          })
        )
        for (let second = 0; second < 200 && sentAt.length < 120; second++) {
          yield* TestClock.adjust("1 second")
        }
        yield* Fiber.join(batch)
        assert.strictEqual(sentAt.length, 120)
        const busiestMinute = Math.max(...sentAt.map((t) => sentAt.filter((u) => u >= t && u < t + 60_000).length))
        assert.isAtMost(busiestMinute, 50)
        // and it does not crawl: the 120 requests take less than 3 minutes (45 a minute after a burst of 5)
        assert.isBelow(sentAt[sentAt.length - 1] - sentAt[0], 3 * 60_000)
      }))

    it.effect("a RateBudget in context: clients of one account share the budget they are given", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        const limiter = yield* Layer.build(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)))
        // each client lives as long as the test: built in its scope
        const client = () =>
          Effect.flatMap(
            Layer.build(
              LuccaClient.layer(options).pipe(
                Layer.provide(fake.layer),
                Layer.provide(Layer.succeed(LuccaPacing.RateBudget, Context.get(limiter, RateLimiter.RateLimiter)))
              )
            ),
            (context) => Effect.provide(LuccaClient.LuccaClient, context)
          )
        const [a, b] = yield* Effect.all([client(), client()])
        const batch = yield* Effect.forkChild(
          Effect.all(
            Array.from(
              { length: 10 },
              (_, i) => (i % 2 === 0 ? a : b).execute(HttpClientRequest.get("/lucca-api/employees"))
            ),
            { concurrency: "unbounded" }
          )
        )
        yield* eventually(() => fake.state.apiRequests.length >= 5)
        yield* TestClock.adjust(0)
        // one budget for both: the burst of 5, not 5 each
        assert.strictEqual(fake.state.apiRequests.length, 5)
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(batch)
        assert.strictEqual(fake.state.apiRequests.length, 10)
      }))

    it.effect("Deprecation and Sunset headers produce one warning per endpoint", () =>
      Effect.gen(function*() {
        const { client, fake } = yield* setup
        const warnings: Array<string> = []
        fake.state.onApi = () =>
          Effect.succeed(json(200, {}, { deprecation: "@1735689600", sunset: "Wed, 31 Dec 2025 23:59:59 GMT" }))
        yield* Effect.forEach(
          ["/lucca-api/employees/1", "/lucca-api/employees/2", "/lucca-api/departments"],
          (path) => client.execute(HttpClientRequest.get(path))
        ).pipe(
          Effect.provide(Logger.layer([Logger.make(({ message }) => warnings.push(String(message)))]))
        )
        assert.deepStrictEqual(warnings.length, 2)
        assert.include(warnings[0], "GET /lucca-api/employees/{id}")
        assert.include(warnings[1], "GET /lucca-api/departments")
      }))
  })

  it.effect("uses a user-supplied TokenProvider", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      yield* LuccaClient.get("/lucca-api/employees/1", Schema.Unknown).pipe(
        Effect.provide(
          LuccaClient.layer({ accountUrl, tokenProvider: TokenProvider.makeStatic("from-my-backend") }).pipe(
            Layer.provide(fake.layer)
          )
        )
      )
      assert.strictEqual(bearer(fake.state.apiRequests[0]), "from-my-backend")
      assert.strictEqual(fake.state.tokenRequests.length, 0)
    }))

  it.effect("two client applications in one program keep their own tokens", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onToken = (n, request) =>
        Effect.succeed(json(200, {
          access_token: `${new URLSearchParams(request.body).get("client_id")}-${n}`,
          token_type: "Bearer"
        }))
      yield* Effect.gen(function*() {
        const a = yield* LuccaClient.make({ ...options, clientId: "a" })
        const b = yield* LuccaClient.make({ ...options, clientId: "b", scopes: ["leaves.readonly"] })
        yield* a.execute(HttpClientRequest.get("/lucca-api/employees"))
        yield* b.execute(HttpClientRequest.get("/lucca-api/leaves"))
        yield* a.execute(HttpClientRequest.get("/lucca-api/employees"))
      }).pipe(Effect.scoped, Effect.provide(fake.layer))
      assert.deepStrictEqual(fake.state.apiRequests.map(bearer), ["a-1", "b-2", "a-1"])
    }))

  it.effect("redact replaces the token it used and its secret in a text the server sent back", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      const echoed = `Authorization: Bearer ${tokenFor(1)}; secret ${Redacted.value(credentials.clientSecret)}`
      const redacted = client.redact(echoed)
      assert.notInclude(redacted, tokenFor(1))
      assert.notInclude(redacted, Redacted.value(credentials.clientSecret))
      assert.include(redacted, "<redacted>")
    }))
})
