import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"
import * as FakeLucca from "../src/FakeLucca.js"
import * as FakeLuccaData from "../src/FakeLuccaData.js"
import { get, getToken, withFake } from "./utils.js"

const referenceDate = new Date("2025-06-17T10:00:00Z")

const id = (reference: unknown) => (reference as { readonly id: string }).id

describe("FakeLuccaData", () => {
  it.effect("the same seed and day give the same data; another seed other data", () =>
    Effect.gen(function*() {
      const a = yield* FakeLuccaData.make({ seed: 7, referenceDate })
      const b = yield* FakeLuccaData.make({ seed: 7, referenceDate: new Date("2025-06-17T23:00:00Z") })
      assert.deepStrictEqual(a, b)
      const c = yield* FakeLuccaData.make({ seed: 8, referenceDate })
      assert.notDeepEqual(a.resources.employees, c.resources.employees)
    }))

  it.effect("has a few legal entities, several establishments, departments and about a hundred employees", () =>
    Effect.gen(function*() {
      const data = yield* FakeLuccaData.make({ referenceDate })
      const { resources } = data
      assert.strictEqual(data.today, "2025-06-17")
      assert.strictEqual(resources["legal-entities"].length, 3)
      assert.strictEqual(resources["business-establishments"].length, 5)
      assert.isAtLeast(resources.departments.length, 5)
      assert.strictEqual(resources.employees.length, 100)
      assert.strictEqual(new Set(resources.employees.map((e) => e.email)).size, 100)
      const establishments = new Set(resources["job-positions"].map((p) => id(p.businessEstablishment)))
      assert.strictEqual(establishments.size, 5)
      for (const collection of Object.keys(resources) as Array<FakeLuccaData.Collection>) {
        assert.isAbove(resources[collection].length, 0, collection)
      }
    }))

  it.effect("references point to resources of the data set, and statuses follow the employment dates", () =>
    Effect.gen(function*() {
      const { resources, today } = yield* FakeLuccaData.make({ referenceDate })
      const employments = new Map(resources.employments.map((e) => [e.id, e]))
      for (const employee of resources.employees) {
        const employment = employments.get(id(employee.applicableEmployment))!
        assert.strictEqual(id(employment.employee), employee.id)
        assert.strictEqual(employment.status, employee.status)
        const start = (employment.start as { date: string }).date
        const end = (employment.end as { date: string } | null)?.date
        const expected = start > today ? "upcoming" : end !== undefined && end < today ? "deactivated" : "active"
        assert.strictEqual(employee.status, expected, employee.id)
      }
      const departments = new Set(resources.departments.map((d) => d.id))
      for (const position of resources["job-positions"]) assert.isTrue(departments.has(id(position.department)))
    }))

  it.effect("nothing was updated before it was created, nor after the reference day", () =>
    Effect.gen(function*() {
      const { resources } = yield* FakeLuccaData.make({ referenceDate })
      for (const items of Object.values(resources)) {
        for (const item of items) {
          if (typeof item.createdAt !== "string" || typeof item.lastUpdatedAt !== "string") continue
          assert.isTrue(item.createdAt <= item.lastUpdatedAt, item.id)
          assert.isTrue(item.lastUpdatedAt < "2025-06-18", item.id)
        }
      }
    }))

  it.effect("the emulator builds its data set for the Clock's day", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(referenceDate.getTime())
      yield* Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const data = yield* fake.data()
        assert.strictEqual(data.today, "2025-06-17")
        const token = yield* getToken()
        const { body } = yield* get("/lucca-api/employments?status=upcoming&limit=100", token)
        assert.isTrue(body.items.every((e: any) => e.start.date > "2025-06-17"))
      }).pipe(withFake())
    }))

  it.effect("two emulators with the same seed serve the same employees", () =>
    Effect.gen(function*() {
      const list = Effect.gen(function*() {
        const token = yield* getToken()
        return (yield* get("/lucca-api/employees?limit=100", token)).body
      })
      const first = yield* list.pipe(withFake({ seed: "s", referenceDate }))
      const second = yield* list.pipe(withFake({ seed: "s", referenceDate }))
      assert.deepStrictEqual(first, second)
    }))
})
