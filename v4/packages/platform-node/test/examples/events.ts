/**
 * Ported from the Effect 3 line's `examples/src/events.ts` (what Effect 4 changes only).
 *
 * Scope `events.readonly` (events only have a read-only scope): read the events feed, the
 * changes of the account as webhooks would deliver them, and count them by topic.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Event } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["events.readonly"]

export const program = Effect.gen(function*() {
  const events = yield* LuccaClient.paginate("/lucca-api/events", Event, { limit: 100 }).pipe(Stream.runCollect)
  const byTopic = new Map<string, number>()
  for (const event of events) byTopic.set(event.topic, (byTopic.get(event.topic) ?? 0) + 1)
  for (const [topic, count] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    yield* Console.log(`  ${topic}: ${count}`)
  }
  return { events: events.length, topics: byTopic.size }
}).pipe(Effect.provide(Target.client("Change feed", scopes)))
