import { LuccaClient, LuccaError, LuccaScope } from "@effect-lucca/core"
import * as LuccaApi from "@effect-lucca/core/LuccaApi"
import * as LuccaResources from "@effect-lucca/core/LuccaResources"
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** A LuccaClient over the in-memory emulator, for the default application's scopes. */
const emulator = (scopes: ReadonlyArray<string> = FakeLucca.allScopes) =>
  LuccaClient.layer({
    clientId: FakeLucca.defaultClientId,
    clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
    accountUrl: FakeLucca.defaultAccountUrl,
    scopes,
    rateLimit: false
  }).pipe(Layer.provideMerge(FakeLuccaClient.layerFake()))

describe("LuccaScope from the description", () => {
  it("knows the description's 53 scopes", () => {
    assert.strictEqual(LuccaScope.knownScopes.length, 53)
    assert.include(LuccaScope.readOnlyResources, "events")
    assert.notInclude(LuccaScope.readWriteResources, "events")
    assert.notInclude(LuccaScope.knownScopes, "employee-attributes.readonly")
  })

  it("acceptedScopes matches path templates, exactly as each operation's security", () => {
    assert.deepStrictEqual(LuccaScope.acceptedScopes("GET", "/lucca-api/employees/416"), [
      "employees.readonly",
      "employees.readwrite"
    ])
    assert.deepStrictEqual(LuccaScope.acceptedScopes("HEAD", "/lucca-api/employees"), [
      "employees.readonly",
      "employees.readwrite"
    ])
    // professions take the job-qualifications scopes; events only events.readonly
    assert.deepStrictEqual(LuccaScope.acceptedScopes("GET", "/lucca-api/professions/89"), [
      "job-qualifications.readonly",
      "job-qualifications.readwrite"
    ])
    assert.deepStrictEqual(LuccaScope.acceptedScopes("GET", "/lucca-api/events"), ["events.readonly"])
    assert.deepStrictEqual(LuccaScope.acceptedScopes("POST", "/lucca-api/webhook-endpoints"), [
      "webhook-endpoints.readwrite"
    ])
    assert.deepStrictEqual(LuccaScope.acceptedScopes("GET", "/lucca-api/portraits/874"), [
      "employees.readonly",
      "employees.readwrite"
    ])
    assert.isUndefined(LuccaScope.acceptedScopes("GET", "/lucca-api/leaves"))
    assert.isUndefined(LuccaScope.acceptedScopes("DELETE", "/lucca-api/employees/416"))
    assert.isUndefined(LuccaScope.acceptedScopes("GET", "/lucca-api/employees/416/extra"))
  })

  it("forEndpoint gives an accepted scope, and still guesses beyond the description", () => {
    assert.strictEqual(LuccaScope.forEndpoint("GET", "/lucca-api/professions"), "job-qualifications.readonly")
    assert.strictEqual(LuccaScope.forEndpoint("POST", "/lucca-api/webhook-deliveries"), "webhook-deliveries.readwrite")
    assert.strictEqual(LuccaScope.forEndpoint("GET", "/lucca-api/leaves"), "leaves.readonly")
    assert.isUndefined(LuccaScope.forEndpoint("GET", "/api/v3/users"))
  })
})

describe("LuccaResources", () => {
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

  it.effect("decode every page the emulator serves, naming every field it sends", () =>
    Effect.gen(function*() {
      const client = yield* LuccaClient.LuccaClient
      for (const [collection, page] of pages) {
        const body = yield* client.get(`/lucca-api/${collection}`, Schema.Unknown, {
          urlParams: { limit: "100", include: "links,totalCount" }
        })
        // strict here, to prove the schemas cover the fields; programs decode leniently
        const schema = page as Schema.Schema<any, any>
        const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(body)
        assert.isTrue(decoded._tag === "Right", `${collection}: ${decoded._tag === "Left" ? decoded.left : ""}`)
      }
    }).pipe(Effect.provide(emulator())))

  it("a field a newer server adds does not break decoding", () => {
    const employee = Schema.decodeUnknownSync(LuccaResources.Employee)({
      id: "416",
      type: "employee",
      url: "https://example.ilucca.net/lucca-api/employees/416",
      givenName: "Edward",
      familyName: "Atkinson",
      email: "eatkinson@acme.corp",
      pronouns: "he/him"
    })
    assert.strictEqual(employee.givenName, "Edward")
    assert.notProperty(employee, "pronouns")
  })
})

describe("LuccaApi", () => {
  it.effect("list pages through a collection with its filters; get reads one resource", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(LuccaApi.employees.list())
      assert.strictEqual(all.length, 100)
      const active = yield* Stream.runCollect(LuccaApi.employees.list({ status: ["active"] }, { limit: 30 }))
      assert.isAbove(active.length, 0)
      assert.isBelow(active.length, 100)
      assert.isTrue(Array.from(active).every((e) => e.status === "active"))

      const first = Array.from(all)[0]
      const one = yield* LuccaApi.employees.get(first.id)
      assert.strictEqual(one.givenName, first.givenName)
      assert.strictEqual(one.type, "employee")

      const spain = yield* Stream.runCollect(LuccaApi.legalEntities.list({ countryCode: ["ESP"] }))
      assert.deepStrictEqual(Array.from(spain, (e) => e.legalName.endsWith("España SL")), [true])
      const professions = yield* Stream.runCollect(LuccaApi.professions.list({ isArchived: false }))
      assert.isAbove(professions.length, 0)
      const portrait = yield* LuccaApi.portraits.get(first.portrait?.id ?? "9001").pipe(Effect.either)
      assert.isTrue(portrait._tag === "Right" || first.portrait === null)
    }).pipe(Effect.provide(emulator())))

  it.effect("a missing id is an ApiError 404; a missing scope a Forbidden", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(LuccaApi.departments.get("999999"))
      assert.instanceOf(missing, LuccaError.ApiError)
      if (missing._tag === "ApiError") assert.strictEqual(missing.status, 404)
      const forbidden = yield* Effect.flip(Stream.runDrain(LuccaApi.events.list()))
      assert.instanceOf(forbidden, LuccaError.Forbidden)
      if (forbidden._tag === "Forbidden") assert.strictEqual(forbidden.suggestedScope, "events.readonly")
    }).pipe(Effect.provide(emulator(["departments.readonly"]))))
})

describe("LuccaApi POST operations (generated from the description's POSTs)", () => {
  it.effect("webhookEndpoints.create sends the endpoint and returns its secret Redacted; webhookDeliveries.create pings it", () =>
    Effect.gen(function*() {
      const endpoint = yield* LuccaApi.webhookEndpoints.create({
        name: "HR sync",
        webhookUrl: "https://hooks.example.com/lucca",
        topics: ["employee.created"]
      })
      assert.isTrue(Redacted.isRedacted(endpoint.secret))
      assert.isTrue(Redacted.value(endpoint.secret).length > 0)
      assert.notInclude(JSON.stringify(endpoint), Redacted.value(endpoint.secret))
      // the API version defaults to the one the client knows
      assert.strictEqual(endpoint.apiVersion, "2024-11-01")
      const read = yield* LuccaApi.webhookEndpoints.get(endpoint.id)
      assert.strictEqual(read.webhookUrl, "https://hooks.example.com/lucca")

      const delivery = yield* LuccaApi.webhookDeliveries.create({
        event: { id: "1" },
        webhookEndpoint: { id: endpoint.id }
      })
      assert.strictEqual(delivery.webhookEndpoint.id, endpoint.id)
      const read2 = yield* LuccaApi.webhookDeliveries.get(delivery.id)
      assert.strictEqual(read2.webhookEndpoint.id, endpoint.id)
    }).pipe(Effect.provide(emulator())))
})
