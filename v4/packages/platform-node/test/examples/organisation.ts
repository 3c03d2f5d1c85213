/**
 * Ported from the Effect 3 line's `examples/src/organisation.ts` (what Effect 4 changes only).
 *
 * Scopes `legal-entities.readonly`, `business-establishments.readonly` and
 * `departments.readonly`: print the organisation, legal entities with their
 * establishments first, then the department tree.
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BusinessEstablishment, Department, LegalEntity } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["legal-entities.readonly", "business-establishments.readonly", "departments.readonly"]

export const program = Effect.gen(function*() {
  const [legalEntities, establishments, departments] = yield* Effect.all([
    Stream.runCollect(LuccaClient.paginate("/lucca-api/legal-entities", LegalEntity)),
    Stream.runCollect(LuccaClient.paginate("/lucca-api/business-establishments", BusinessEstablishment)),
    Stream.runCollect(LuccaClient.paginate("/lucca-api/departments", Department, { limit: 100 }))
  ], { concurrency: 3 })

  yield* Console.log("  Legal entities and their business establishments:")
  for (const legalEntity of legalEntities) {
    yield* Console.log(`    ${legalEntity.legalName} (${legalEntity.countryCode})`)
    for (const establishment of establishments) {
      if (establishment.legalEntity?.id !== legalEntity.id) continue
      const locality = establishment.address?.locality
      yield* Console.log(`      ${establishment.name}${locality ? `, ${locality}` : ""}`)
    }
  }

  yield* Console.log("  Departments:")
  const children = new Map<string | null, Array<typeof Department.Type>>()
  for (const department of departments) {
    const parent = department.parent?.id ?? null
    children.set(parent, [...(children.get(parent) ?? []), department])
  }
  const print = (parent: string | null, depth: number): Effect.Effect<void> =>
    Effect.forEach(
      children.get(parent) ?? [],
      (department) =>
        Console.log(`    ${"  ".repeat(depth)}${department.name}`).pipe(
          Effect.andThen(print(department.id, depth + 1))
        ),
      { discard: true }
    )
  yield* print(null, 0)

  return {
    legalEntities: legalEntities.length,
    establishments: establishments.length,
    departments: departments.length
  }
}).pipe(Effect.provide(Target.client("Organisation chart", scopes)))
