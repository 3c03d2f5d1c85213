/**
 * Ported from the Effect 3 line's `examples/src/employees.ts` (what Effect 4 changes only).
 *
 * Scope `employees.readonly`: page through the active employees with `paginate`, using the
 * `status` filter of `GET /lucca-api/employees`.
 *
 *   pnpm --filter @effect-lucca/examples exec tsx src/employees.ts
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Employee } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["employees.readonly"]

export const program = Effect.gen(function*() {
  // pages of 25 are fetched as the stream is pulled, following links.next.href
  const employees = yield* LuccaClient.paginate("/lucca-api/employees", Employee, {
    limit: 25,
    urlParams: { status: "active", sort: "familyName" }
  }).pipe(Stream.runCollect)
  for (const employee of Array.from(employees).slice(0, 5)) {
    yield* Console.log(`  ${employee.givenName} ${employee.familyName} <${employee.email}>`)
  }
  yield* Console.log(`  ... ${employees.length} active employees in all`)
  return { employees: employees.length }
}).pipe(Effect.provide(Target.client("Employee directory", scopes)))
