/**
 * Receiving Lucca's webhooks with the Effect 4 line (scope `webhook-endpoints.readwrite`).
 * A receiver (`LuccaWebhooks.receiver`) listens on a loopback port; the program subscribes
 * it to `employee.updated` (Lucca activates it with `GET ?echo=`), then an employee changes
 * and the event arrives signed, is verified, and is handed once to the handler.
 *
 * Offline, against the Effect 4 line's emulator on loopback ports (`layerEmulator`), which
 * raises the change through its control `POST /fake-lucca/events`: a real Lucca account
 * cannot reach this machine's loopback. Run it with `node scripts/v4.mjs exec pnpm --filter
 * @effect-lucca/examples webhooks` from the repository root.
 */
import { LuccaClient, LuccaWebhooks } from "@effect-lucca/core"
import { LuccaApi } from "@effect-lucca/core/LuccaApi"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import { fileURLToPath } from "node:url"

export const scopes = ["webhook-endpoints.readwrite"]

/** The receiver could not be served on a loopback port, or no event arrived. */
export class ExampleError extends Data.TaggedError("ExampleError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export const program = Effect.gen(function*() {
  // 1. the receiver; it learns the endpoint's secret once the endpoint is created, after
  // Lucca's activation GET, which needs no secret
  const secret = yield* Deferred.make<Redacted.Redacted<string>>()
  const events = yield* Queue.bounded<LuccaWebhooks.Event>(16)
  const receiver = yield* LuccaWebhooks.receiver({
    secret: Deferred.await(secret),
    handler: (event) => Queue.offer(events, event)
  })
  const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
  yield* server.serve(receiver)
  const address = server.address
  if (!("port" in address)) return yield* Effect.fail(new ExampleError({ message: "the receiver listens on TCP only" }))
  const webhookUrl = `http://127.0.0.1:${address.port}/webhooks/lucca`

  // 2. subscribe: the secret comes back once, Redacted
  const endpoint = yield* LuccaApi.webhookEndpoints.create({
    name: "effect-lucca webhooks example (Effect 4)",
    webhookUrl,
    topics: ["employee.updated"]
  })
  yield* Deferred.succeed(secret, endpoint.secret)
  yield* Console.log(`endpoint ${endpoint.id} for ${webhookUrl}: ${endpoint.status}`)

  // 3. an employee changes (the emulator's control, on the account's origin)
  const { accountUrl } = yield* LuccaClient.LuccaClient
  yield* Effect.tryPromise({
    try: () =>
      fetch(new URL("/fake-lucca/events", accountUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ topic: "employee.updated", id: "1001" })
      }).then((response) => response.arrayBuffer()),
    catch: (cause) => new ExampleError({ message: "the emulator's control did not answer", cause })
  })

  // 4. the event, verified and handed once
  const event = yield* Queue.take(events).pipe(Effect.timeoutOrElse({
    duration: "10 seconds",
    orElse: () => Effect.fail(new ExampleError({ message: "no event arrived within 10 seconds" }))
  }))
  yield* Console.log(`received ${event.topic} (event ${event.id}) for employee ${String(event.data.id)}, verified`)
  return { endpoint: endpoint.id, status: endpoint.status, topic: event.topic, employee: event.data.id }
}).pipe(Effect.scoped)

/**
 * The Effect 4 emulator on loopback ports, with a client application declared with exactly
 * the example's scopes, and `NodeLucca.layer` over it (real sockets, as against Lucca).
 */
export const layerEmulator = Layer.unwrap(
  Effect.gen(function*() {
    const fake = yield* FakeLucca.FakeLucca
    const server = yield* FakeLuccaServer.FakeLuccaServer
    const application = yield* fake.registerApplication({ name: "Webhook receiver", scopes })
    return NodeLucca.layer({
      clientId: application.clientId,
      clientSecret: application.clientSecret,
      scopes,
      accountUrl: server.url,
      tokenUrl: server.tokenUrl
    })
  })
).pipe(Layer.provideMerge(FakeLuccaServer.layerFake()))

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  program.pipe(Effect.provide(layerEmulator), NodeRuntime.runMain)
}
