/**
 * The worker protocol end to end in one Node process: the runner side on one end of a
 * `MessageChannel`, the page side on the other (the same runner and worker platforms as in
 * a browser, over `MessagePort`s), the emulator on loopback. The real-browser run is in
 * `Browser.test.ts`; this one is fast and checks every request and failure type.
 */
import { LuccaClient, LuccaError, TokenProvider } from "@effect-lucca/core"
import { BrowserLucca, LuccaWorker, LuccaWorkerClient } from "@effect-lucca/platform-browser"
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Employee, Endpoint, serveEmulator } from "./fixtures.js"

/**
 * Starts the runner over `client` on one port and returns the page-side client on the
 * other, with every message the page side received.
 */
const connect = <E>(client: Layer.Layer<LuccaClient.LuccaClient, E>) =>
  Effect.gen(function*() {
    const channel = yield* Effect.acquireRelease(
      Effect.sync(() => new MessageChannel()),
      (channel) =>
        Effect.sync(() => {
          channel.port1.close()
          channel.port2.close()
        })
    )
    const received: Array<unknown> = []
    channel.port2.addEventListener("message", (event) => received.push(event.data))
    yield* LuccaWorker.layerBrowserRunner(client, channel.port1).pipe(Layer.launch, Effect.forkScoped)
    const context = yield* Layer.build(LuccaWorkerClient.layerBrowser(() => channel.port2))
    return { client: Context.get(context, LuccaWorkerClient.LuccaWorkerClient), received }
  })

/** A client that never reaches a server: `respond` answers every request. */
const clientOver = (respond: Parameters<typeof HttpClient.make>[0]) =>
  LuccaClient.make({
    tokenProvider: TokenProvider.makeStatic("the-token"),
    accountUrl: "https://example.ilucca.net",
    requestRetry: false,
    rateLimit: false
  }).pipe(Effect.provideService(HttpClient.HttpClient, HttpClient.make(respond)))

const json = (request: Parameters<typeof HttpClientResponse.fromWeb>[0], body: unknown, init?: ResponseInit) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" }, ...init })
  )

const setup = (scopes: ReadonlyArray<string> = ["employees.readonly", "webhook-endpoints.readwrite"]) =>
  Effect.gen(function*() {
    const { fake, options } = yield* serveEmulator
    const lucca = yield* Effect.provide(
      LuccaClient.LuccaClient,
      yield* Layer.build(BrowserLucca.layer(options(scopes)))
    )
    const { client, received } = yield* connect(Layer.succeed(LuccaClient.LuccaClient, lucca))
    return { fake, lucca, client, received }
  })

describe("LuccaWorker over a MessageChannel", () => {
  it.live("get sends the query parameters and decodes the body on the page side", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      const page = yield* client.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) }), {
        urlParams: { limit: 3 }
      })
      assert.strictEqual(page.items.length, 3)
    }))

  it.live("paginate streams every item, one message per page", () =>
    Effect.gen(function*() {
      const { client, fake, received } = yield* setup()
      const employees = yield* Stream.runCollect(client.paginate("/lucca-api/employees", Employee, { limit: 25 }))
      const data = yield* fake.data()
      assert.strictEqual(employees.length, data.resources.employees.length)
      assert.strictEqual(new Set(employees.map((e) => e.id)).size, data.resources.employees.length)
      const pages = Math.ceil(data.resources.employees.length / 25)
      // [1, { _tag: "Chunk", values: [page] }] for each page
      const chunks = received.filter((m) => Array.isArray(m) && (m[1] as { _tag?: string })?._tag === "Chunk")
      assert.strictEqual(chunks.length, pages)
    }))

  it.live("ending the stream early stops the worker's pagination", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      const pages = (yield* fake.data()).resources.employees.length
      assert.isAbove(pages, 10)
      const two = yield* Stream.runCollect(
        Stream.take(client.paginate("/lucca-api/employees", Employee, { limit: 1 }), 2)
      )
      assert.strictEqual(two.length, 2)
      // the worker reads a page ahead of what the page acknowledged, not the whole list
      const read = (yield* fake.stats).api.byStatus["200"] ?? 0
      assert.isAtLeast(read, 2)
      assert.isAtMost(read, 4)
    }))

  it.live("post sends a JSON body and returns the created resource", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      const endpoint = yield* client.post("/lucca-api/webhook-endpoints", Endpoint, {
        body: {
          name: "Worker",
          webhookUrl: "https://hooks.example.test/worker",
          apiVersion: "2024-11-01",
          topics: ["employee.created"]
        }
      })
      assert.strictEqual(endpoint.name, "Worker")
      assert.strictEqual(endpoint.webhookUrl, "https://hooks.example.test/worker")
      assert.isTrue((yield* fake.data()).resources["webhook-endpoints"].some((e) => e.id === endpoint.id))
    }))

  it.live("a missing scope arrives as the core's typed Forbidden", () =>
    Effect.gen(function*() {
      const { client } = yield* setup(["employees.readonly"])
      const error = yield* Effect.flip(client.get("/lucca-api/events", Schema.Unknown))
      assert.instanceOf(error, LuccaError.Forbidden)
      if (error._tag !== "Forbidden") return
      assert.strictEqual(error.suggestedScope, "events.readonly")
      assert.deepStrictEqual(error.grantedScopes, ["employees.readonly"])
      assert.include(error.message, "/identity/admin/integration-keys")
    }))

  it.live("a 400 arrives as an ApiError with the problem's fields", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      const error = yield* Effect.flip(
        client.post("/lucca-api/webhook-endpoints", Schema.Unknown, { body: { name: "" } })
      )
      assert.instanceOf(error, LuccaError.ApiError)
      if (error._tag !== "ApiError") return
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.method, "POST")
      assert.isDefined(error.errors?.["name"])
    }))

  it.live("a body that does not match the page's schema is a ResponseDecodeError naming the item", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      const Strict = Schema.Struct({ id: Schema.Number })
      const error = yield* Effect.flip(Stream.runDrain(client.paginate("/lucca-api/employees", Strict)))
      assert.instanceOf(error, LuccaError.ResponseDecodeError)
      if (error._tag !== "ResponseDecodeError") return
      assert.strictEqual(error.path, "items[0].id")
      assert.strictEqual(error.status, 200)
      assert.match(error.url, /\/lucca-api\/employees$/)
    }))

  it.live("a links.next.href back to a page already read fails with a typed error instead of looping", () =>
    Effect.gen(function*() {
      let requests = 0
      const lucca = yield* clientOver((request) =>
        Effect.sync(() => {
          requests++
          return json(request, {
            items: [{ id: "1" }],
            links: { next: { href: "https://example.ilucca.net/lucca-api/employees?cursor=same" } }
          })
        })
      )
      const { client } = yield* connect(Layer.succeed(LuccaClient.LuccaClient, lucca))
      const error = yield* Effect.flip(
        Stream.runCollect(Stream.take(client.paginate("/lucca-api/employees", Schema.Unknown), 1_000))
      )
      assert.instanceOf(error, LuccaError.ResponseDecodeError)
      if (error._tag !== "ResponseDecodeError") return
      assert.strictEqual(error.path, "links.next.href")
      assert.strictEqual(error.url, "https://example.ilucca.net/lucca-api/employees")
      assert.isAtMost(requests, 3)
    }))

  it.live("a body that does not match its bodySchema is a TransportError naming the field, and is not sent", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      const before = (yield* fake.data()).resources["webhook-endpoints"].length
      const NewEndpoint = Schema.Struct({ name: Schema.String, webhookUrl: Schema.URLFromString })
      const error = yield* Effect.flip(
        client.post("/lucca-api/webhook-endpoints", Schema.Unknown, {
          // a caller that bypassed the types: the schema's encoding refuses the field
          body: { name: "Worker", webhookUrl: "not a URL" } as unknown as typeof NewEndpoint.Type,
          bodySchema: NewEndpoint
        })
      )
      assert.instanceOf(error, LuccaWorker.TransportError)
      if (error._tag !== "TransportError") return
      assert.strictEqual(error.reason, "Encode")
      assert.include(error.description, "at webhookUrl:")
      assert.strictEqual((yield* fake.data()).resources["webhook-endpoints"].length, before)
    }))

  it.live("an absolute URL on another origin is refused in the worker, typed", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      const error = yield* Effect.flip(client.get("http://127.0.0.2:9/collect", Schema.Unknown))
      assert.instanceOf(error, LuccaError.ForeignOriginError)
      // a path that resolves to another origin is refused as well
      const sneaky = yield* Effect.flip(client.get("//127.0.0.2:9/collect", Schema.Unknown))
      assert.instanceOf(sneaky, LuccaError.ForeignOriginError)
    }))

  it.live("a POST body that JSON cannot hold is a typed TransportError, not a defect", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      const error = yield* Effect.flip(
        client.post("/lucca-api/webhook-endpoints", Schema.Unknown, { body: { count: 1n } })
      )
      assert.instanceOf(error, LuccaWorker.TransportError)
      if (error._tag === "TransportError") assert.strictEqual(error.reason, "Encode")
    }))

  // the cause of a transport failure may quote the request
  it.live("a TransportError never carries the cause's message across the boundary", () =>
    Effect.gen(function*() {
      const lucca = yield* clientOver((request) =>
        Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause: Object.assign(new TypeError("Headers.append: \"Bearer the-token\" is an invalid header value."), {
                cause: { code: "ECONNRESET" }
              })
            })
          })
        )
      )
      const { client, received } = yield* connect(Layer.succeed(LuccaClient.LuccaClient, lucca))
      const error = yield* Effect.flip(client.get("/lucca-api/employees", Schema.Unknown))
      assert.instanceOf(error, LuccaWorker.TransportError)
      if (error._tag !== "TransportError") return
      assert.strictEqual(error.reason, "Transport")
      assert.include(error.description, "ECONNRESET")
      assert.notInclude(JSON.stringify(received), "the-token")
      assert.notInclude(JSON.stringify(received), "Headers.append")
    }))

  // the page chooses paths, so it can probe for an endpoint that echoes the request's headers
  it.live("an answer that echoes the Authorization header reaches the page redacted", () =>
    Effect.gen(function*() {
      const lucca = yield* clientOver((request, url) =>
        Effect.sync(() => {
          const authorization = request.headers["authorization"] ?? ""
          const problem = {
            type: `https://example.test/${authorization}`,
            title: `Invalid: ${authorization}`,
            detail: authorization,
            instance: `/trace/${encodeURIComponent(authorization)}`,
            traceId: authorization,
            errors: { [authorization]: [`got ${authorization}`] }
          }
          return url.pathname === "/lucca-api/echo"
            ? json(request, { seen: authorization, nested: [{ [authorization]: authorization }] })
            : json(request, problem, { status: 422, headers: { "content-type": "application/problem+json" } })
        })
      )
      const { client, received } = yield* connect(Layer.succeed(LuccaClient.LuccaClient, lucca))
      const error = yield* Effect.flip(client.post("/lucca-api/leaves", Schema.Unknown, { body: { days: 1 } }))
      assert.instanceOf(error, LuccaError.ApiError)
      if (error._tag !== "ApiError") return
      assert.strictEqual(error.status, 422)
      assert.strictEqual(error.traceId, "Bearer <redacted>")
      assert.strictEqual(error.title, "Invalid: Bearer <redacted>")
      assert.deepStrictEqual(error.errors, { "Bearer <redacted>": ["got Bearer <redacted>"] })
      const echoed = yield* client.get("/lucca-api/echo", Schema.Unknown)
      assert.deepStrictEqual(echoed, {
        seen: "Bearer <redacted>",
        nested: [{ "Bearer <redacted>": "Bearer <redacted>" }]
      })
      const text = JSON.stringify(received)
      assert.include(text, "<redacted>")
      assert.notInclude(text, "the-token")
      assert.notInclude(text, "the%2Dtoken")
    }))

  // a defect in the worker is posted too: it goes through the same choke point
  it.live("a defect that quotes the token reaches the page redacted", () =>
    Effect.gen(function*() {
      const lucca = yield* clientOver(() => Effect.die(new Error("boom with Bearer the-token inside")))
      const { client, received } = yield* connect(Layer.succeed(LuccaClient.LuccaClient, lucca))
      const exit = yield* Effect.exit(client.get("/lucca-api/employees", Schema.Unknown))
      assert.isTrue(exit._tag === "Failure")
      const text = JSON.stringify(received)
      assert.include(text, "boom with Bearer <redacted> inside")
      assert.notInclude(text, "the-token")
    }))

  it.live("a revoked token is recovered in the worker with one retry", () =>
    Effect.gen(function*() {
      const { client, fake } = yield* setup()
      yield* client.get("/lucca-api/employees", Schema.Unknown)
      assert.strictEqual(yield* fake.revokeTokens(), 1)
      yield* client.get("/lucca-api/employees", Schema.Unknown)
      const stats = yield* fake.stats
      assert.strictEqual(stats.token.issued, 2)
      assert.strictEqual(stats.api.byStatus["401"], 1)
    }))

  it.live("no message the page side receives holds the token or the secret", () =>
    Effect.gen(function*() {
      const { client, fake, received } = yield* setup(["employees.readonly"])
      yield* Stream.runDrain(client.paginate("/lucca-api/employees", Employee, { limit: 50 }))
      yield* Effect.flip(client.get("/lucca-api/events", Schema.Unknown))
      const tokens = (yield* fake.issuedTokens).map(Redacted.value)
      assert.isAbove(tokens.length, 0)
      const text = received.map((message) => JSON.stringify(message)).join("\n")
      // the recording works: it holds the data and the Forbidden
      assert.include(text, "\"Forbidden\"")
      assert.include(text, "\"givenName\"")
      for (const token of tokens) assert.notInclude(text, token)
      assert.notInclude(text, FakeLucca.defaultClientSecret)
    }))

  it.live("a worker that cannot build its client: every call fails with a SetupError holding the ConfigError", () =>
    Effect.gen(function*() {
      const { fake, options } = yield* serveEmulator
      const { client } = yield* connect(
        BrowserLucca.layer({ ...options(["employees.readonly"]), accountUrl: "ftp://x" })
      )
      const error = yield* Effect.flip(client.get("/lucca-api/employees", Schema.Unknown))
      assert.instanceOf(error, LuccaWorker.SetupError)
      if (error._tag !== "SetupError") return
      assert.include(error.message, "accountUrl")
      assert.instanceOf(error.cause, Config.ConfigError)
      assert.include(String(error.cause), "accountUrl")
      const cause = error.cause?.cause
      assert.strictEqual(cause?._tag, "SchemaError")
      if (cause?._tag === "SchemaError") assert.deepStrictEqual(cause.issue._tag, "Pointer")
      // caught by tag, in a stream too
      const caught = yield* Stream.runCollect(client.paginate("/lucca-api/employees", Employee)).pipe(
        Effect.as("nothing"),
        Effect.catchTag("SetupError", (setup) => Effect.succeed(setup._tag))
      )
      assert.strictEqual(caught, "SetupError")
      assert.strictEqual((yield* fake.stats).token.total, 0)
    }))
})
