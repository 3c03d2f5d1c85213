/**
 * LuccaApi and the generated schemas against the Effect 3 line's emulator on loopback (the
 * emulator-backed tests of the Effect 3 line's LuccaApi tests).
 */
import { LuccaClient, LuccaError } from "@effect-lucca/core"
import * as LuccaApi from "@effect-lucca/core/LuccaApi"
import * as LuccaResources from "@effect-lucca/core/LuccaResources"
import { NodeLucca } from "@effect-lucca/platform-node"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Emulator from "./emulator.js"

/** Provides a LuccaClient over the emulator, for `scopes` (default: all) of its default application. */
const withClient = (scopes?: ReadonlyArray<string>) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Emulator.FakeLucca, (emulator) =>
    Effect.provide(
      effect,
      NodeLucca.layer({
        clientId: emulator.clientId,
        clientSecret: emulator.clientSecret,
        scopes: scopes ?? emulator.scopes,
        tokenUrl: emulator.tokenUrl,
        accountUrl: emulator.accountUrl,
        rateLimit: false
      })
    ))

const pages = [
  ["legal-entities", LuccaResources.LegalEntitiesPage],
  ["business-establishments", LuccaResources.BusinessEstablishmentsPage],
  ["departments", LuccaResources.DepartmentsPage],
  ["professions", LuccaResources.ProfessionsPage],
  ["occupation-categories", LuccaResources.OccupationCategoriesPage],
  ["job-qualifications", LuccaResources.JobQualificationsPage],
  ["employees", LuccaResources.EmployeesPage],
  ["employee-personal-records", LuccaResources.EmployeePersonalRecordsPage],
  ["employments", LuccaResources.EmploymentsPage],
  ["employment-templates", LuccaResources.EmploymentTemplatesPage],
  ["job-positions", LuccaResources.JobPositionsPage],
  ["probationary-periods", LuccaResources.ProbationaryPeriodsPage],
  ["events", LuccaResources.EventsPage],
  ["webhook-endpoints", LuccaResources.WebhookEndpointsPage],
  ["webhook-deliveries", LuccaResources.WebhookDeliveriesPage],
  ["webhook-delivery-attempts", LuccaResources.WebhookDeliveryAttemptsPage]
] as const

// One emulator for the file, on the live clock: real sockets.
layer(Emulator.layer, { timeout: 120_000, excludeTestServices: true })("LuccaApi against the emulator", (it) => {
  it.effect("the generated schemas decode every page the emulator serves, naming every field it sends", () =>
    Effect.gen(function*() {
      const lucca = yield* LuccaClient.LuccaClient
      for (const [collection, page] of pages) {
        const body = yield* lucca.get(`/lucca-api/${collection}`, Schema.Unknown, {
          urlParams: { limit: "100", include: "links,totalCount" }
        })
        // strict here, to prove the schemas cover the fields; programs decode leniently
        const decoded = Schema.decodeUnknownResult(page as Schema.Decoder<unknown>, { onExcessProperty: "error" })(body)
        assert.isTrue(
          Result.isSuccess(decoded),
          `${collection}: ${Result.isFailure(decoded) ? String(decoded.failure) : ""}`
        )
      }
    }).pipe(withClient()))

  it.effect("list pages through a collection with its filters; get reads one resource", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(LuccaApi.employees.list())
      assert.isAbove(all.length, 0)
      const active = yield* Stream.runCollect(LuccaApi.employees.list({ status: ["active"] }, { limit: 30 }))
      assert.isAbove(active.length, 0)
      assert.isBelow(active.length, all.length)
      assert.isTrue(active.every((e) => e.status === "active"))

      const first = all[0]
      const one = yield* LuccaApi.employees.get(first.id)
      assert.strictEqual(one.givenName, first.givenName)
      assert.strictEqual(one.type, "employee")

      const professions = yield* Stream.runCollect(LuccaApi.professions.list({ isArchived: false }))
      assert.isAbove(professions.length, 0)
    }).pipe(withClient()))

  it.effect("a missing id is an ApiError 404; a missing scope a Forbidden", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(LuccaApi.departments.get("999999"))
      assert.instanceOf(missing, LuccaError.ApiError)
      if (missing._tag === "ApiError") assert.strictEqual(missing.status, 404)
      const forbidden = yield* Effect.flip(Stream.runDrain(LuccaApi.events.list()))
      assert.instanceOf(forbidden, LuccaError.Forbidden)
      if (forbidden._tag === "Forbidden") assert.strictEqual(forbidden.suggestedScope, "events.readonly")
    }).pipe(withClient(["departments.readonly"])))
})
