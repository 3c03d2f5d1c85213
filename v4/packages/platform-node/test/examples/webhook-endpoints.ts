/**
 * Ported from the Effect 3 line's `examples/src/webhook-endpoints.ts` (what Effect 4 changes only).
 *
 * Scope `webhook-endpoints.readwrite`: declare a webhook endpoint, then list the account's
 * endpoints. Against a real account this writes, so it only runs when
 * `LUCCA_EXAMPLES_ALLOW_WRITES=true`.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { WebhookEndpoint } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["webhook-endpoints.readwrite"]

export const program = Effect.gen(function*() {
  const target = yield* Target.Target
  const allowed = yield* Config.Boolean("LUCCA_EXAMPLES_ALLOW_WRITES").pipe(Config.withDefault(false))
  if (target.mode === "lucca" && !allowed) {
    yield* Console.log("  skipped: set LUCCA_EXAMPLES_ALLOW_WRITES=true to create a webhook endpoint on a real account")
    return { created: undefined, endpoints: undefined }
  }

  const created = yield* LuccaClient.post("/lucca-api/webhook-endpoints", WebhookEndpoint, {
    body: {
      name: "effect-lucca example",
      webhookUrl: "https://hooks.example.test/effect-lucca",
      apiVersion: "2024-11-01",
      topics: ["employee.created", "employee.updated"]
    }
  })
  yield* Console.log(`  created webhook endpoint ${created.id} (${created.status ?? "?"}) for ${created.webhookUrl}`)
  // `.readwrite` includes reading
  const endpoints = yield* LuccaClient.paginate("/lucca-api/webhook-endpoints", WebhookEndpoint).pipe(
    Stream.runCollect
  )
  for (const endpoint of endpoints) yield* Console.log(`    ${endpoint.name}: ${endpoint.topics.join(", ")}`)
  return { created: created.id, endpoints: endpoints.length }
}).pipe(Effect.provide(Target.client("Webhook setup", scopes)))
