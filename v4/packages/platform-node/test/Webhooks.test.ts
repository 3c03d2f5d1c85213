/**
 * Webhooks end to end over real loopback sockets: the emulator on 127.0.0.1 delivers to a
 * `LuccaWebhooks.receiver` served by NodeHttpServer on 127.0.0.1, port 0.
 */
import { LuccaClient, LuccaWebhooks } from "@effect-lucca/core"
import { LuccaApi } from "@effect-lucca/core/LuccaApi"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer, FakeLuccaWebhooks } from "@effect-lucca/testing"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Http from "node:http"

/** Waits, bounded, for the emulator to record a delivery's outcome. */
const deliveryStatus = (fake: FakeLucca.Service, id: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      const delivery = (yield* fake.data()).resources["webhook-deliveries"].find((d) => d.id === id)
      if (delivery !== undefined && delivery.attemptsCount !== 0) return delivery
      yield* Effect.sleep("10 millis")
    }
    return yield* Effect.die(new Error(`delivery ${id} was never attempted`))
  })

const setup = (handler: (event: LuccaWebhooks.Event) => Effect.Effect<void, string>) =>
  Effect.gen(function*() {
    const emulator = yield* Layer.build(FakeLuccaServer.layerFake())
    const fake = Context.get(emulator, FakeLucca.FakeLucca)
    const server = Context.get(emulator, FakeLuccaServer.FakeLuccaServer)

    // the secret is known once the endpoint is created, after Lucca's activation GET
    const secret = yield* Deferred.make<Redacted.Redacted<string>>()
    const receiver = yield* LuccaWebhooks.receiver({
      secret: Deferred.await(secret),
      handler,
      // no local retry: a failure releases the event at once
      retry: Schedule.recurs(0)
    })
    const http = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    yield* http.serve(receiver)
    if (!("port" in http.address)) return yield* Effect.die(new Error("the receiver listens on TCP"))
    const webhookUrl = `http://127.0.0.1:${http.address.port}/webhooks/lucca`

    const client = yield* Layer.build(
      LuccaClient.layer({
        clientId: FakeLucca.defaultClientId,
        clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
        scopes: ["webhook-endpoints.readwrite"],
        accountUrl: server.url,
        tokenUrl: server.tokenUrl,
        rateLimit: false
      }).pipe(Layer.provide(NodeLucca.layerHttpClient))
    )
    const endpoint = yield* LuccaApi.webhookEndpoints.create({
      name: "Loopback receiver",
      webhookUrl,
      topics: ["employee.created", "employee.updated"]
    }).pipe(Effect.provideContext(client))
    yield* Deferred.succeed(secret, endpoint.secret)
    return { fake, server, endpoint, webhookUrl }
  })

const raise = (serverUrl: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${serverUrl}/fake-lucca/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: await response.json() as FakeLuccaWebhooks.Raised }
  })

describe("LuccaWebhooks.receiver over loopback, the emulator delivering", () => {
  it.live("activates, verifies, hands each event once and answers 202; a duplicate is not handed again", () =>
    Effect.gen(function*() {
      const handled = yield* Queue.unbounded<LuccaWebhooks.Event>()
      const { endpoint, fake, server, webhookUrl } = yield* setup((event) => Queue.offer(handled, event))
      // the activation GET came back over the socket
      assert.strictEqual(endpoint.status, "active")

      const raised = yield* raise(server.url, { topic: "employee.updated", id: "1001" })
      assert.strictEqual(raised.status, 201)
      const event = yield* Queue.take(handled)
      assert.strictEqual(event.topic, "employee.updated")
      assert.strictEqual(event.id, raised.body.event.id)
      // the tenant's URL, whatever port the emulator is reached at
      assert.strictEqual(event.source, FakeLucca.defaultAccountUrl)
      assert.strictEqual(event.data.id, "1001")
      const first = yield* deliveryStatus(fake, raised.body.deliveryIds[0])
      assert.strictEqual(first.status, "delivered")

      // Lucca may deliver an event again: acknowledged, not handed twice
      const again = yield* FakeLuccaWebhooks.redeliver(event.id).pipe(
        Effect.provideService(FakeLucca.FakeLucca, fake)
      )
      const second = yield* deliveryStatus(fake, again.deliveryIds[0])
      assert.strictEqual(second.status, "delivered")
      const attempts = (yield* fake.data()).resources["webhook-delivery-attempts"]
      const answer = attempts.find((a) => (a.webhookDelivery as { id: string }).id === again.deliveryIds[0])!
      assert.strictEqual(answer.responseStatusCode, 202)
      assert.strictEqual(yield* Queue.size(handled), 0)

      // anyone else's POST is refused with 401, the activation GET answered as text/plain
      const forged = yield* Effect.promise(() =>
        fetch(webhookUrl, {
          method: "POST",
          headers: { "lucca-timestamp": new Date().toISOString(), "lucca-signature": "AAAA" },
          body: JSON.stringify(event)
        })
      )
      assert.strictEqual(forged.status, 401)
      const echo = yield* Effect.promise(() => fetch(`${webhookUrl}?echo=h3ll%C3%B6`))
      assert.strictEqual(echo.headers.get("content-type"), "text/plain; charset=utf-8")
      assert.strictEqual(yield* Effect.promise(() => echo.text()), "h3llö")
    }))

  it.live("a handler failure does not lose the event: its claim is released and the next delivery is handled", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const handled = yield* Queue.unbounded<LuccaWebhooks.Event>()
      const { fake, server } = yield* setup((event) =>
        Effect.flatMap(
          Ref.getAndUpdate(calls, (n) => n + 1),
          (n) => n === 0 ? Effect.fail("the database is down") : Queue.offer(handled, event)
        )
      )
      const raised = yield* raise(server.url, { topic: "employee.created", id: "1002" })
      yield* deliveryStatus(fake, raised.body.deliveryIds[0])
      // the first handling failed; Lucca (here the emulator's redelivery) delivers again
      for (let i = 0; i < 500 && (yield* Ref.get(calls)) === 0; i++) yield* Effect.sleep("10 millis")
      const again = yield* FakeLuccaWebhooks.redeliver(raised.body.event.id).pipe(
        Effect.provideService(FakeLucca.FakeLucca, fake)
      )
      yield* deliveryStatus(fake, again.deliveryIds[0])
      const event = yield* Queue.take(handled)
      assert.strictEqual(event.id, raised.body.event.id)
      assert.strictEqual(yield* Ref.get(calls), 2)
    }))
})
