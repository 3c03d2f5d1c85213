/**
 * Scope `leaves.readwrite`: create a leave. Against a real account this writes, so it only
 * runs when `LUCCA_EXAMPLES_ALLOW_WRITES=true`.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Leave } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["leaves.readwrite"]

const day = 24 * 60 * 60 * 1000

export const program = Effect.gen(function*() {
  const target = yield* Target.Target
  const allowed = yield* Config.boolean("LUCCA_EXAMPLES_ALLOW_WRITES").pipe(Config.withDefault(false))
  if (target.mode === "lucca" && !allowed) {
    yield* Console.log("  skipped: set LUCCA_EXAMPLES_ALLOW_WRITES=true to create a leave on a real account")
    return { created: undefined }
  }

  // `.readwrite` includes reading: borrow an employee from an existing leave
  const existing = yield* LuccaClient.paginate("/lucca-api/leaves", Leave, { limit: 1 }).pipe(
    Stream.runHead,
    Effect.flatMap(Option.match({
      onNone: () => Effect.dieMessage("no leave to take an employee from"),
      onSome: Effect.succeed
    }))
  )
  // a Monday about a year ahead, clear of the seeded leaves
  const now = yield* Clock.currentTimeMillis
  const ahead = new Date(now + 365 * day)
  const monday = new Date(ahead.getTime() + ((8 - ahead.getUTCDay()) % 7) * day)
  const startsOn = monday.toISOString().slice(0, 10)
  const endsOn = new Date(monday.getTime() + 4 * day).toISOString().slice(0, 10)

  const created = yield* LuccaClient.post("/lucca-api/leaves", Leave, {
    body: {
      employee: { id: existing.employee.id },
      leaveType: "paid-leave",
      startsOn,
      endsOn,
      comment: "Created by the effect-lucca example"
    }
  })
  yield* Console.log(`  created leave ${created.id} for employee ${created.employee.id}, ${startsOn} to ${endsOn}`)
  return { created: created.id }
}).pipe(Effect.provide(Target.client("Leave booking", scopes)))

Target.runIfMain(import.meta.url, program)
