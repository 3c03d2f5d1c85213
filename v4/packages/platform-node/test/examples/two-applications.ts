/**
 * Ported from the Effect 3 line's `examples/src/two-applications.ts` (what Effect 4 changes only).
 *
 * Two client applications in one program, one per use case as Lucca recommends: each has
 * its own scopes, its own token and its own cache. Each client gets its own tag.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Employee, Event } from "./Schemas.js"
import * as Target from "./Target.js"

class Directory extends Context.Service<Directory, LuccaClient.Service>()("examples/Directory") {}
class ChangeFeed extends Context.Service<ChangeFeed, LuccaClient.Service>()("examples/ChangeFeed") {}

const clientFor = <I>(tag: Context.Key<I, LuccaClient.Service>, name: string, scopes: ReadonlyArray<string>) =>
  Layer.effect(tag, LuccaClient.LuccaClient).pipe(Layer.provide(Target.client(name, scopes)))

export const program = Effect.gen(function*() {
  const directory = yield* Directory
  const feed = yield* ChangeFeed
  const [employees, events] = yield* Effect.all([
    Stream.runCount(directory.paginate("/lucca-api/employees", Employee, { limit: 100 })),
    Stream.runCount(feed.paginate("/lucca-api/events", Event, { limit: 100 }))
  ], { concurrency: 2 })
  const directoryScopes = yield* directory.grantedScopes
  const feedScopes = yield* feed.grantedScopes
  yield* Console.log(`  directory sync (${directoryScopes.join(" ")}): ${employees} employees`)
  yield* Console.log(`  change feed (${feedScopes.join(" ")}): ${events} events`)
  return { employees, events, directoryScopes, feedScopes }
}).pipe(
  Effect.provide(Layer.merge(
    clientFor(Directory, "Directory sync", ["employees.readonly"]),
    clientFor(ChangeFeed, "Change feed", ["events.readonly"])
  ))
)
