import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/testing/TestClock"
import { createHmac } from "node:crypto"
import * as FakeLucca from "../src/FakeLucca.js"
import * as FakeLuccaClient from "../src/FakeLuccaClient.js"
import * as FakeLuccaWebhooks from "../src/FakeLuccaWebhooks.js"
import { api, getToken, send } from "./utils.js"

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A receiver in memory: it echoes the activation challenge (unless told not to), records
 * every request, and answers deliveries with the scripted statuses, then 202.
 */
const makeReceiver = (options?: { readonly echo?: boolean; readonly statuses?: ReadonlyArray<number> }) =>
  Effect.gen(function*() {
    const received = yield* Ref.make<ReadonlyArray<Received>>([])
    const statuses = yield* Ref.make(options?.statuses ?? [])
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orDie(request.text)
      yield* Ref.update(received, (all) => [...all, {
        method: request.method,
        url: request.originalUrl,
        headers: request.headers,
        body
      }])
      if (request.method === "GET") {
        const echo = new URL(request.originalUrl).searchParams.get("echo") ?? ""
        return HttpServerResponse.text(options?.echo === false ? "nope" : echo)
      }
      const status = yield* Ref.modify(statuses, ([first, ...rest]) => [first ?? 202, rest])
      return HttpServerResponse.text(status === 202 ? "" : `status ${status}`, { status })
    })
    const deliveries = Effect.map(Ref.get(received), (all) => all.filter((r) => r.method === "POST"))
    return { app, received, deliveries }
  })

type Receiver = Effect.Success<ReturnType<typeof makeReceiver>>

/** The emulator with its in-memory client (for the test's API calls), delivering to `receiver`. */
const withWebhooks = (receiver: Receiver) =>
  Effect.provide(
    FakeLuccaWebhooks.layer.pipe(
      Layer.provide(Layer.effect(HttpClient.HttpClient, FakeLuccaWebhooks.httpClientOf(receiver.app))),
      Layer.provideMerge(FakeLuccaClient.layerFake())
    )
  )

const createEndpoint = (topics: ReadonlyArray<string> = ["employee.updated", "employee.created"]) =>
  Effect.gen(function*() {
    const token = yield* getToken({ scope: "webhook-endpoints.readwrite webhook-deliveries.readonly" })
    const created = yield* send(
      api("/lucca-api/webhook-endpoints", token).pipe(
        HttpClientRequest.setMethod("POST"),
        HttpClientRequest.bodyJsonUnsafe({
          name: "Receiver under test",
          webhookUrl: "https://receiver.test/lucca",
          apiVersion: "2024-11-01",
          topics
        })
      )
    )
    assert.strictEqual(created.status, 201, JSON.stringify(created.body))
    return { endpoint: created.body, token }
  })

/** One turn of the event loop: every fiber that can run without I/O or time has run. */
const nextTurn = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

/** Waits (bounded) for the emulator's background delivery to reach a state. */
const eventually = <A, R>(check: Effect.Effect<Option.Option<A>, never, R>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      const found = yield* check
      if (Option.isSome(found)) return found.value
      yield* nextTurn
    }
    return yield* Effect.die(new Error(`never: ${what}`))
  })

const deliveryOf = (id: string) =>
  Effect.flatMap(
    FakeLucca.FakeLucca,
    (fake) => Effect.map(fake.data(), (data) => data.resources["webhook-deliveries"].find((d) => d.id === id)!)
  )

/**
 * The delivery after its `attempts`-th attempt, once the emulator waits for the next one
 * or has finished. Effect 4's TestClock does not list its sleeps: the attempt's record is
 * written just before the delivering fiber sleeps, so one more turn of the event loop
 * (the receiver is in memory, nothing else is awaited) leaves its retry timer set.
 */
const afterAttempt = (id: string, attempts: number) =>
  Effect.tap(
    eventually(
      Effect.map(
        deliveryOf(id),
        (delivery) => (delivery.attemptsCount as number) < attempts ? Option.none() : Option.some(delivery)
      ),
      `delivery ${id} after attempt ${attempts}`
    ),
    () => nextTurn
  )

const hmac = (secret: string, timestamp: string, body: string) =>
  createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(`${timestamp}.${body}`, "utf8")).digest(
    "base64"
  )

describe("FakeLuccaWebhooks", () => {
  it.effect("activates a new endpoint with GET ?echo=: active when the value comes back, inactive otherwise", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver()
      yield* Effect.gen(function*() {
        const { endpoint } = yield* createEndpoint()
        assert.strictEqual(endpoint.status, "active")
        const [challenge] = yield* Ref.get(receiver.received)
        assert.strictEqual(challenge.method, "GET")
        const url = new URL(challenge.url)
        assert.strictEqual(`${url.origin}${url.pathname}`, "https://receiver.test/lucca")
        assert.isAbove(url.searchParams.get("echo")!.length, 8)
      }).pipe(withWebhooks(receiver))

      const silent = yield* makeReceiver({ echo: false })
      yield* Effect.gen(function*() {
        const { endpoint, token } = yield* createEndpoint()
        assert.strictEqual(endpoint.status, "inactive")
        // an inactive endpoint gets no delivery
        const raised = yield* FakeLuccaWebhooks.raise({ topic: "employee.updated", id: "1001" })
        assert.deepStrictEqual(raised.deliveryIds, [])
        const read = yield* send(api(`/lucca-api/webhook-endpoints/${endpoint.id}`, token))
        assert.strictEqual(read.body.status, "inactive")
      }).pipe(withWebhooks(silent))
    }))

  it.effect("signs each delivery exactly as documented, over the JSON event it posts", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver()
      yield* Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2025-01-01T08:34:23.456Z"))
        const { endpoint } = yield* createEndpoint()
        const raised = yield* FakeLuccaWebhooks.raise({ topic: "employee.updated", id: "1001" })
        assert.strictEqual(raised.deliveryIds.length, 1)
        yield* afterAttempt(raised.deliveryIds[0], 1)
        const [delivery] = yield* receiver.deliveries
        assert.strictEqual(delivery.url, "https://receiver.test/lucca")
        assert.strictEqual(delivery.headers["content-type"], "application/json")
        assert.strictEqual(delivery.headers["lucca-timestamp"], "2025-01-01T08:34:23Z")
        assert.strictEqual(
          delivery.headers["lucca-signature"],
          hmac(endpoint.secret, delivery.headers["lucca-timestamp"], delivery.body)
        )
        // the secret the emulator keeps is the one the API answered once
        assert.strictEqual(Redacted.value(yield* FakeLuccaWebhooks.secret(endpoint.id)), endpoint.secret)
        const event = JSON.parse(delivery.body)
        assert.strictEqual(event.type, "event")
        assert.strictEqual(event.topic, "employee.updated")
        assert.strictEqual(event.source, FakeLucca.defaultAccountUrl)
        assert.strictEqual(event.id, raised.event.id)
        assert.strictEqual(event.data.id, "1001")
        assert.strictEqual(event.data.url, `${FakeLucca.defaultAccountUrl}/lucca-api/employees/1001`)
      }).pipe(withWebhooks(receiver))
    }))

  it.effect("retries a failing endpoint at most 5 times over 24 hours, re-signing each attempt", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver({ statuses: [503, 503, 503, 503, 503] })
      yield* Effect.gen(function*() {
        const start = Date.parse("2025-03-01T00:00:00Z")
        yield* TestClock.setTime(start)
        const { endpoint, token } = yield* createEndpoint()
        const { deliveryIds: [id] } = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1002" })
        let delivery = yield* afterAttempt(id, 1)
        assert.strictEqual(delivery.status, "undelivered")
        assert.strictEqual(delivery.nextAttemptAt, new Date(start + 60_000).toISOString())
        for (let n = 0; n < FakeLuccaWebhooks.retryDelays.length; n++) {
          // nothing before the delay is over
          yield* TestClock.adjust(Duration.subtract(FakeLuccaWebhooks.retryDelays[n], Duration.millis(1)))
          assert.strictEqual((yield* receiver.deliveries).length, n + 1)
          yield* TestClock.adjust(Duration.millis(1))
          delivery = yield* afterAttempt(id, n + 2)
        }
        assert.strictEqual(delivery.status, "failed")
        assert.strictEqual(delivery.attemptsCount, 5)
        const posts = yield* receiver.deliveries
        assert.strictEqual(posts.length, 5)
        const times = posts.map((p) => Date.parse(p.headers["lucca-timestamp"]) - start)
        assert.deepStrictEqual(times, [0, 60_000, 660_000, 4_260_000, 86_400_000])
        for (const post of posts) {
          assert.strictEqual(
            post.headers["lucca-signature"],
            hmac(endpoint.secret, post.headers["lucca-timestamp"], post.body)
          )
          assert.strictEqual(post.body, posts[0].body)
        }
        // no sixth attempt, ever
        yield* TestClock.adjust(Duration.days(3))
        assert.strictEqual((yield* receiver.deliveries).length, 5)

        // the API shows what happened
        const token2 = yield* getToken({ scope: "webhook-deliveries.readonly webhook-endpoints.readonly" })
        const read = yield* send(api(`/lucca-api/webhook-deliveries/${id}`, token2))
        assert.strictEqual(read.body.status, "failed")
        assert.strictEqual(read.body.attemptsCount, 5)
        assert.strictEqual(read.body.webhookEndpoint.id, endpoint.id)
        const attempts = yield* send(api("/lucca-api/webhook-delivery-attempts?limit=100", token2))
        const mine = attempts.body.items.filter((a: any) => a.webhookDelivery.id === id)
        assert.deepStrictEqual(mine.map((a: any) => a.responseStatusCode), [503, 503, 503, 503, 503])
        assert.deepStrictEqual(mine.map((a: any) => a.isSuccessful), [false, false, false, false, false])
        assert.deepStrictEqual(mine.map((a: any) => a.errorResponseBody), Array(5).fill("status 503"))
        assert.deepStrictEqual(mine.map((a: any) => a.signature), posts.map((p) => p.headers["lucca-signature"]))
        void token
      }).pipe(withWebhooks(receiver))
    }))

  it.effect("retries 400, 401 and 429; a later 2xx is delivered", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver({ statuses: [400, 401, 429] })
      yield* Effect.gen(function*() {
        yield* createEndpoint()
        const { deliveryIds: [id] } = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1003" })
        yield* afterAttempt(id, 1)
        for (let n = 0; n < 3; n++) {
          yield* TestClock.adjust(FakeLuccaWebhooks.retryDelays[n])
          yield* afterAttempt(id, n + 2)
        }
        const delivery = yield* deliveryOf(id)
        assert.strictEqual(delivery.status, "delivered")
        assert.strictEqual(delivery.attemptsCount, 4)
      }).pipe(withWebhooks(receiver))
    }))

  it.effect("404 and 410 suspend the endpoint at once: no retry, no later delivery", () =>
    Effect.gen(function*() {
      for (const gone of [404, 410]) {
        const receiver = yield* makeReceiver({ statuses: [gone] })
        yield* Effect.gen(function*() {
          const { endpoint, token } = yield* createEndpoint()
          const { deliveryIds: [id] } = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1004" })
          const delivery = yield* afterAttempt(id, 1)
          assert.strictEqual(delivery.status, "failed")
          const read = yield* send(api(`/lucca-api/webhook-endpoints/${endpoint.id}`, token))
          assert.strictEqual(read.body.status, "suspended")
          yield* TestClock.adjust(Duration.days(2))
          assert.strictEqual((yield* receiver.deliveries).length, 1)
          const next = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1005" })
          assert.deepStrictEqual(next.deliveryIds, [])
          // answering the challenge again resumes it
          assert.isTrue(yield* FakeLuccaWebhooks.activate(endpoint.id))
          const resumed = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1005" })
          assert.strictEqual((yield* afterAttempt(resumed.deliveryIds[0], 1)).status, "delivered")
        }).pipe(withWebhooks(receiver))
      }
    }))

  it.effect("a change to the data raises {type}.updated with the previous attributes, to subscribed endpoints only", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver()
      yield* Effect.gen(function*() {
        yield* createEndpoint(["employee.updated"])
        const fake = yield* FakeLucca.FakeLucca
        const before = (yield* fake.data()).resources.employees.find((e) => e.id === "1001")!
        const raised = yield* FakeLuccaWebhooks.update("employees", "1001", { familyName: "Lefèvre" })
        assert.strictEqual(raised.event.topic, "employee.updated")
        assert.deepStrictEqual(raised.event.previousAttributes, { familyName: before.familyName })
        assert.strictEqual((yield* fake.data()).resources.employees.find((e) => e.id === "1001")!.familyName, "Lefèvre")
        yield* afterAttempt(raised.deliveryIds[0], 1)
        const [delivery] = yield* receiver.deliveries
        assert.strictEqual(JSON.parse(delivery.body).data.familyName, "Lefèvre")
        // not subscribed to employee.created
        assert.deepStrictEqual(
          (yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1001" })).deliveryIds,
          []
        )
        // the event is in the events feed
        const token = yield* getToken({ scope: "events.readonly" })
        const feed = yield* send(api(`/lucca-api/events/${raised.event.id}`, token))
        assert.strictEqual(feed.body.topic, "employee.updated")
      }).pipe(withWebhooks(receiver))
    }))

  it.effect("redeliver sends the same event id and body again, as a new delivery", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver()
      yield* Effect.gen(function*() {
        yield* createEndpoint()
        const first = yield* FakeLuccaWebhooks.raise({ topic: "employee.created", id: "1006" })
        yield* afterAttempt(first.deliveryIds[0], 1)
        const again = yield* FakeLuccaWebhooks.redeliver(first.event.id)
        assert.notStrictEqual(again.deliveryIds[0], first.deliveryIds[0])
        yield* afterAttempt(again.deliveryIds[0], 1)
        const [a, b] = yield* receiver.deliveries
        assert.strictEqual(a.body, b.body)
      }).pipe(withWebhooks(receiver))
    }))

  it.effect("the control POST /fake-lucca/events raises an event; a ping goes through POST webhook-deliveries", () =>
    Effect.gen(function*() {
      const receiver = yield* makeReceiver()
      yield* Effect.gen(function*() {
        const { endpoint } = yield* createEndpoint()
        const control = yield* send(
          HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/fake-lucca/events`).pipe(
            HttpClientRequest.bodyJsonUnsafe({ topic: "employee.created", id: "1007" })
          )
        )
        assert.strictEqual(control.status, 201)
        assert.strictEqual(control.body.event.data.id, "1007")
        yield* afterAttempt(control.body.deliveryIds[0], 1)
        const unknown = yield* send(
          HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/fake-lucca/events`).pipe(
            HttpClientRequest.bodyJsonUnsafe({ topic: "employee.created", id: "no-such-id" })
          )
        )
        assert.strictEqual(unknown.status, 400)
        const patched = yield* send(
          HttpClientRequest.patch(`${FakeLucca.defaultAccountUrl}/fake-lucca/resources/employees/1007`).pipe(
            HttpClientRequest.bodyJsonUnsafe({ givenName: "Zoë" })
          )
        )
        assert.strictEqual(patched.status, 201)
        assert.deepStrictEqual(Object.keys(patched.body.event.previousAttributes), ["givenName"])

        const token = yield* getToken({ scope: "webhook-deliveries.readwrite" })
        const ping = yield* send(
          api(`/lucca-api/webhook-deliveries?webhookEndpoint.id=${endpoint.id}`, token).pipe(
            HttpClientRequest.setMethod("POST")
          )
        )
        assert.strictEqual(ping.status, 201)
        yield* afterAttempt(ping.body.id, 1)
        const topics = (yield* receiver.deliveries).map((d) => JSON.parse(d.body).topic)
        assert.deepStrictEqual(topics, ["employee.created", "employee.updated", "ping"])
      }).pipe(withWebhooks(receiver))
    }))
})
