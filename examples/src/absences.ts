/**
 * Scopes `leaves.readonly` and `leave-requests.readonly`: who is absent this month, and
 * which requests still wait for a decision.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Leave, LeaveRequest } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["leaves.readonly", "leave-requests.readonly"]

/** The first and last day of the month of `now`, as `YYYY-MM-DD`. */
const monthOf = (now: number) => {
  const date = new Date(now)
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0))
  return { first: first.toISOString().slice(0, 10), last: last.toISOString().slice(0, 10) }
}

export const program = Effect.gen(function*() {
  const month = monthOf(yield* Clock.currentTimeMillis)
  const overlaps = (item: { readonly startsOn: string; readonly endsOn: string }) =>
    item.startsOn <= month.last && item.endsOn >= month.first

  const leaves = yield* LuccaClient.paginate("/lucca-api/leaves", Leave, { limit: 100 }).pipe(
    Stream.filter(overlaps),
    Stream.runCollect
  )
  const pending = yield* LuccaClient.paginate("/lucca-api/leave-requests", LeaveRequest, { limit: 100 }).pipe(
    Stream.filter((request) => request.status === "pending" && overlaps(request)),
    Stream.runCollect
  )

  const absentees = new Set(Array.from(leaves, (leave) => leave.employee.id))
  yield* Console.log(`  ${absentees.size} employees are absent between ${month.first} and ${month.last}:`)
  for (const leave of Array.from(leaves).slice(0, 5)) {
    yield* Console.log(
      `    employee ${leave.employee.id}: ${leave.leaveType} from ${leave.startsOn} to ${leave.endsOn}`
    )
  }
  yield* Console.log(`  ${pending.length} leave requests of this month wait for a decision`)
  return { absentees: absentees.size, leaves: leaves.length, pendingRequests: pending.length }
}).pipe(Effect.provide(Target.client("Absence report", scopes)))

Target.runIfMain(import.meta.url, program)
