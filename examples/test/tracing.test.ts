/**
 * The tracing example against the emulator on loopback: its trace holds the refresh, the
 * 401 recovery and the paced batch, and its counters agree with the emulator's.
 */
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Target from "../src/Target.js"
import * as Tracing from "../src/tracing.js"

const emulator = Layer.provideMerge(
  Target.layerFromEmulator,
  FakeLuccaServer.layerFake({ fake: { rateLimit: FakeLucca.luccaRateLimit } })
)

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
      }).pipe(Effect.provide(emulator)),
    { timeout: 60_000 }
  )
})
