/**
 * Ported from the Effect 3 line's `examples/src/missing-scope.ts` (what Effect 4 changes only).
 *
 * A missing scope: a client application granted only `employees.readonly` reads the events
 * feed, which takes `events.readonly`. Lucca answers 403 without naming the scope;
 * `Forbidden` explains what to do.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Target from "./Target.js"

export const scopes = ["employees.readonly"]

export const program = LuccaClient.get("/lucca-api/events", Schema.Unknown).pipe(
  Effect.as({ forbidden: undefined }),
  Effect.catchTag("Forbidden", (error) =>
    Console.log(`  ${error.message}`).pipe(
      Effect.as({ forbidden: { suggestedScope: error.suggestedScope, grantedScopes: error.grantedScopes } })
    )),
  Effect.provide(Target.client("Employee directory (no events)", scopes))
)
