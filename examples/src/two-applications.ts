/**
 * Two client applications in one program, one per use case as Lucca recommends: each has
 * its own scopes, its own token and its own cache. Each client gets its own tag.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Employee, Leave } from "./Schemas.js"
import * as Target from "./Target.js"

class Directory extends Context.Tag("examples/Directory")<Directory, LuccaClient.Service>() {}
class Absences extends Context.Tag("examples/Absences")<Absences, LuccaClient.Service>() {}

const clientFor = <I>(tag: Context.Tag<I, LuccaClient.Service>, name: string, scopes: ReadonlyArray<string>) =>
  Layer.effect(tag, LuccaClient.LuccaClient).pipe(Layer.provide(Target.client(name, scopes)))

export const program = Effect.gen(function*() {
  const directory = yield* Directory
  const absences = yield* Absences
  const [employees, leaves] = yield* Effect.all([
    Stream.runCount(directory.paginate("/lucca-api/employees", Employee, { limit: 100 })),
    Stream.runCount(absences.paginate("/lucca-api/leaves", Leave, { limit: 100 }))
  ], { concurrency: 2 })
  const directoryScopes = yield* directory.grantedScopes
  const absencesScopes = yield* absences.grantedScopes
  yield* Console.log(`  directory sync (${directoryScopes.join(" ")}): ${employees} employees`)
  yield* Console.log(`  absence report (${absencesScopes.join(" ")}): ${leaves} leaves`)
  return { employees, leaves, directoryScopes, absencesScopes }
}).pipe(
  Effect.provide(Layer.merge(
    clientFor(Directory, "Directory sync", ["employees.readonly"]),
    clientFor(Absences, "Absence report", ["leaves.readonly"])
  ))
)

Target.runIfMain(import.meta.url, program)
