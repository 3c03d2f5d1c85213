/**
 * Ported from the Effect 3 line's `examples/src/webhooks.ts` (what Effect 4 changes only).
 *
 * Scope `webhook-endpoints.readwrite`: receive Lucca's webhooks. A receiver
 * (`LuccaWebhooks.receiver`) listens on a loopback port; the program subscribes it to
 * `employee.updated` (Lucca activates it with `GET ?echo=`), then an employee changes and
 * the event arrives signed, is verified, and is handed once to the handler.
 *
 * Only against the emulator, which raises the change through its control
 * `POST /fake-lucca/events`: a real Lucca account cannot reach this machine's loopback.
 */
import { LuccaClient, LuccaWebhooks } from "@effect-lucca/core"
import { LuccaApi } from "@effect-lucca/core/LuccaApi"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import * as Target from "./Target.js"

export const scopes = ["webhook-endpoints.readwrite"]

export const program = Effect.gen(function*() {
  const target = yield* Target.Target
  if (target.mode === "lucca") {
    yield* Console.log("  skipped: a real Lucca account cannot deliver to this machine's loopback")
    return { topic: undefined, employee: undefined }
  }

  // 1. the receiver; it learns the endpoint's secret once the endpoint is created
  const secret = yield* Deferred.make<Redacted.Redacted<string>>()
  const events = yield* Queue.bounded<LuccaWebhooks.Event>(16)
  const receiver = yield* LuccaWebhooks.receiver({
    secret: Deferred.await(secret),
    handler: (event) => Queue.offer(events, event)
  })
  const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
  yield* server.serve(receiver)
  if (!("port" in server.address)) return yield* Effect.die(new Error("the receiver listens on TCP"))
  const webhookUrl = `http://127.0.0.1:${server.address.port}/webhooks/lucca`

  // 2. subscribe: the secret comes back once, Redacted; 3. an employee changes (the
  // emulator's control, on the account's origin) and the event arrives
  yield* Effect.gen(function*() {
    const endpoint = yield* LuccaApi.webhookEndpoints.create({
      name: "effect-lucca webhooks example",
      webhookUrl,
      topics: ["employee.updated"]
    })
    yield* Deferred.succeed(secret, endpoint.secret)
    yield* Console.log(`  endpoint ${endpoint.id} for ${webhookUrl}: ${endpoint.status}`)
    const { accountUrl } = yield* LuccaClient.LuccaClient
    yield* Effect.promise(() =>
      fetch(new URL("/fake-lucca/events", accountUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ topic: "employee.updated", id: "1001" })
      }).then((response) => response.arrayBuffer())
    )
  }).pipe(Effect.provide(Target.client("Webhook receiver", scopes)))
  const event = yield* Queue.take(events).pipe(Effect.timeoutOrElse({
    duration: "10 seconds",
    orElse: () => Effect.fail(new Error("no event arrived within 10 seconds"))
  }))
  yield* Console.log(`  received ${event.topic} (event ${event.id}) for employee ${String(event.data.id)}, verified`)
  return { topic: event.topic, employee: event.data.id }
}).pipe(Effect.scoped)
