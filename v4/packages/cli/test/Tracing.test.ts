/**
 * The tracing example against the v4 emulator on loopback, ported from the Effect 3 line's
 * `examples/test/tracing.test.ts` (the same assertions): its trace holds the refresh, the
 * 401 recovery and the paced batch, and its counters agree with the emulator's.
 */
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Tracing from "./examples/tracing.js"

describe("tracing", () => {
  it.live(
    "shows a refresh, a 401 recovery and a paced batch, with the counters to match",
    () =>
      Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const result = yield* Tracing.program
        const stats = yield* fake.stats
        assert.isTrue(result.recovered)
        assert.strictEqual(result.refreshes, 2, "the first token, then the one after the 401")
        assert.strictEqual(result.tokenRequests, stats.token.issued)
        assert.strictEqual(result.unauthorizedRetries, 1)
        assert.strictEqual(stats.api.byStatus["401"], 1)
        assert.strictEqual(stats.api.byStatus["429"], undefined, "the batch stayed within the budget")
        // the root, 2 requests with their spans, the batch and its requests
        assert.isAtLeast(result.spans, 1 + 5 + 6 + 1 + 6)
      }).pipe(Effect.provide(FakeLuccaServer.layerFake({ fake: { rateLimit: FakeLucca.luccaRateLimit } }))),
    { timeout: 60_000 }
  )
})
