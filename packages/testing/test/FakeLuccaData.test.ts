import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as FakeLucca from "../src/FakeLucca.js"
import * as FakeLuccaData from "../src/FakeLuccaData.js"
import { get, getToken, withFake } from "./utils.js"

const referenceDate = new Date("2025-06-17T10:00:00Z")

describe("FakeLuccaData", () => {
  it.effect("the same seed gives the same data; another seed other data", () =>
    Effect.gen(function*() {
      const a = yield* FakeLuccaData.make({ seed: 7, referenceDate })
      const b = yield* FakeLuccaData.make({ seed: 7, referenceDate: new Date("2025-06-01T00:00:00Z") })
      assert.deepStrictEqual(a, b)
      const c = yield* FakeLuccaData.make({ seed: 8, referenceDate })
      assert.notDeepEqual(a.employees, c.employees)
    }))

  it.effect("the organisation is stable from month to month; the leaves follow the month", () =>
    Effect.gen(function*() {
      const june = yield* FakeLuccaData.make({ referenceDate })
      const july = yield* FakeLuccaData.make({ referenceDate: new Date("2025-07-03T00:00:00Z") })
      assert.deepStrictEqual(
        june.employees.map((e) => [e.id, e.firstName, e.lastName, e.businessEstablishmentId]),
        july.employees.map((e) => [e.id, e.firstName, e.lastName, e.businessEstablishmentId])
      )
      assert.strictEqual(june.referenceMonth, "2025-06-01")
      assert.strictEqual(july.referenceMonth, "2025-07-01")
      assert.notDeepEqual(june.leaves, july.leaves)
    }))

  it.effect("has a few legal entities, several establishments, departments and about a hundred employees", () =>
    Effect.gen(function*() {
      const data = yield* FakeLuccaData.make({ referenceDate })
      assert.strictEqual(data.legalEntities.length, 3)
      assert.strictEqual(data.businessEstablishments.length, 5)
      assert.isAtLeast(data.departments.length, 5)
      assert.strictEqual(data.employees.length, 100)
      const establishments = new Set(data.employees.map((e) => e.businessEstablishmentId))
      assert.strictEqual(establishments.size, 5)
      assert.strictEqual(new Set(data.employees.map((e) => e.email)).size, 100)
      for (const leave of data.leaves) {
        assert.isTrue(leave.startsOn <= leave.endsOn)
        assert.isAbove(leave.durationInDays, 0)
        const request = data.leaveRequests.find((r) => r.id === leave.leaveRequestId)!
        assert.deepStrictEqual(request.leaveIds, [leave.id])
      }
    }))

  it.effect("nothing was created or updated after the reference month began, nor updated before created", () =>
    Effect.gen(function*() {
      const data = yield* FakeLuccaData.make({ referenceDate })
      const all = [
        ...data.legalEntities,
        ...data.businessEstablishments,
        ...data.departments,
        ...data.employees,
        ...data.leaveRequests,
        ...data.leaves
      ]
      for (const item of all) {
        assert.isTrue(item.createdAt <= item.lastUpdatedAt, item.id)
        assert.isTrue(item.lastUpdatedAt < "2025-06-01", item.id)
      }
    }))

  it.effect("someone is absent in the reference month", () =>
    Effect.gen(function*() {
      const data = yield* FakeLuccaData.make({ referenceDate })
      const absent = data.leaves.filter((l) => l.startsOn <= "2025-06-30" && l.endsOn >= "2025-06-01")
      assert.isAtLeast(new Set(absent.map((l) => l.employeeId)).size, 15)
    }))

  it.effect("the emulator builds its data set around the Clock's month", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(referenceDate.getTime())
      yield* Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const data = yield* fake.data()
        assert.strictEqual(data.referenceMonth, "2025-06-01")
        const token = yield* getToken()
        const { body } = yield* get("/lucca-api/leaves?limit=100", token)
        assert.isTrue(body.items.some((l: any) => l.startsOn <= "2025-06-30" && l.endsOn >= "2025-06-01"))
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
