/**
 * The chaos run, short enough for CI, ported from the Effect 3 line (the same operations,
 * seed and assertions). Real sockets and real time: `it.live`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChaosRun from "./chaos/ChaosRun.js"

describe("chaos", () => {
  it.live("a mixed workload rides through injected faults, revocations and 429s", () =>
    Effect.gen(function*() {
      const report = yield* ChaosRun.run({ ...ChaosRun.defaults, operations: 2_000 })
      yield* Effect.sync(() => console.log(ChaosRun.format(report)))
      // the chaos did happen
      assert.isAbove(report.tokenFailures, 0, "token requests failed")
      assert.isAbove(report.unauthorizedRetries, 0, "tokens were revoked")
      assert.isAbove(report.rateLimited, 0, "the rate limit bit")
      assert.isAbove(report.retries, 0)
      // and the promises held
      assert.deepStrictEqual(report.violations, [], "no operation failed with retries left")
      assert.strictEqual(report.duplicateNonIdempotent, 0)
      assert.deepStrictEqual(report.leaks, [])
      assert.isAbove(report.successes, report.options.operations * 0.9)
    }), 180_000)
})
