/**
 * What the client knows of Lucca's API from its description: the scope table and the
 * generated schemas (the emulator-backed tests of the Effect 3 line's LuccaApi tests are in
 * platform-node's LuccaApi.test.ts, over loopback).
 */
import { LuccaScope } from "@effect-lucca/core"
import * as LuccaApi from "@effect-lucca/core/LuccaApi"
import * as LuccaResources from "@effect-lucca/core/LuccaResources"
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"

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
  it("one accessor per collection of the description, on its path", () => {
    assert.strictEqual(LuccaApi.employees.path, "/lucca-api/employees")
    assert.strictEqual(LuccaApi.webhookDeliveryAttempts.path, "/lucca-api/webhook-delivery-attempts")
    assert.strictEqual(LuccaApi.portraits.path, "/lucca-api/portraits")
    assert.isFalse("list" in LuccaApi.portraits)
    assert.strictEqual(Object.keys(LuccaApi.LuccaApi).length, 17)
  })
})
