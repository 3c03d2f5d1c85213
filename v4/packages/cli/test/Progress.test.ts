import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/testing/TestClock"
import * as Progress from "../src/internal/progress.js"

describe("the progress line", () => {
  it("shows items, pages and the rate", () => {
    const counters = { items: 250, pages: 3, inFlight: 1, lastPageAt: 9_000 }
    assert.strictEqual(Progress.line(counters, 0, 10_000), "250 items, 3 pages, 25.0 items/s")
  })

  it("says when the listing waits for the rate budget: no request out, and none for a while", () => {
    const counters = { items: 5, pages: 5, inFlight: 0, lastPageAt: 1_000 }
    assert.include(Progress.line(counters, 0, 2_000), ", waiting for the rate budget")
    assert.notInclude(Progress.line(counters, 0, 1_200), "waiting")
    assert.notInclude(Progress.line({ ...counters, inFlight: 1 }, 0, 2_000), "waiting")
  })

  it.effect("is drawn from the second second, and erased at the end", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const counters = { items: 0, pages: 0, inFlight: 0, lastPageAt: 0 }
      const fiber = yield* Effect.forkChild(
        Progress.around(counters, (text) => written.push(text), Effect.sleep("3 seconds"))
      )
      yield* TestClock.adjust("900 millis")
      assert.deepStrictEqual(written, [], "nothing for a short listing")
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      assert.isAbove(written.length, 1)
      assert.isTrue(written[0].startsWith("\r\x1b[K0 items, 0 pages"), written[0])
      assert.strictEqual(written[written.length - 1], "\r\x1b[K")
    }))
})
