/**
 * Ported from the Effect 3 line's `examples/src/employments.ts` (what Effect 4 changes only).
 *
 * Scopes `employments.readonly` and `job-positions.readonly`: who joined recently, with the
 * job they hold. Employments started in the last year come from the `start.date.between`
 * filter; their job positions from `employment.id`.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Employment, JobPosition } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["employments.readonly", "job-positions.readonly"]

const day = 24 * 60 * 60 * 1000

export const program = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  const since = new Date(now - 365 * day).toISOString().slice(0, 10)
  const employments = yield* LuccaClient.paginate("/lucca-api/employments", Employment, {
    limit: 100,
    urlParams: { "start.date.between": `${since}--..`, sort: "-start.date" }
  }).pipe(Stream.runCollect)

  const ids = Array.from(employments, (e) => e.id)
  // at most 100 values per filter: one request per slice of 100 employments
  const positions = ids.length === 0 ? [] : yield* Stream.fromIterable(
    Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, i * 100 + 100))
  ).pipe(
    Stream.flatMap((slice) =>
      LuccaClient.paginate("/lucca-api/job-positions", JobPosition, {
        limit: 100,
        urlParams: { "employment.id": slice.join(",") }
      })
    ),
    Stream.runCollect,
    Effect.map((chunk) => Array.from(chunk))
  )

  yield* Console.log(`  ${employments.length} employments started since ${since}:`)
  for (const employment of Array.from(employments).slice(0, 5)) {
    const position = positions.find((p) => p.employment?.id === employment.id)
    yield* Console.log(
      `    employee ${employment.employee.id} from ${employment.start.date}: ${position?.jobTitle ?? "no position yet"}`
    )
  }
  return { employments: employments.length, jobPositions: positions.length }
}).pipe(Effect.provide(Target.client("New joiners", scopes)))
