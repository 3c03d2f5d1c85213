/**
 * Scenario 4, rate-limit efficiency: a batch of requests, all started at once, against
 * the emulator enforcing a per-account limit, through a `LuccaClient` paced to the same
 * limit. Time is scaled down (50 requests per 2 seconds instead of per minute) so that
 * the scenario takes seconds.
 *
 * The allowed rate is `requests / window`. The client's token bucket lets `burst`
 * requests go at once and refills `requests - burst` per window, so that no window of the
 * emulator's fixed-window counter ever sees more than `requests`, and leaves 0.5 % of the
 * window for jitter; its long-run ceiling is therefore `(requests - burst) / requests /
 * 1.005` of the allowed rate (0.896 with the default burst of 5), a little more over a
 * short batch thanks to the first burst.
 *
 * @since 0.0.0
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import * as Scenario from "./Scenario.js"
import * as Stats from "./Stats.js"
import * as Table from "./Table.js"

/**
 * @since 0.0.0
 * @category models
 */
export interface Result {
  readonly requests: number
  readonly ok: number
  /** 429 answers the emulator sent (the client retries them after `Retry-After`). */
  readonly tooManyRequests: number
  readonly seconds: number
  /** Requests per second achieved over the allowed requests per second. */
  readonly efficiency: number
  /** The ceiling of a token bucket with this burst, for this batch, over the allowed rate. */
  readonly ceiling: number
  /**
   * The longest event-loop delay of the client process, in milliseconds: the pacing sleeps
   * delays computed in advance, so a stall releases the requests it held back together.
   */
  readonly eventLoopMaxMillis: number
}

const library = "effect-lucca LuccaClient (paced)"

/** The share of the window the client leaves unused for jitter (see the core's pacing). */
const jitterMargin = 0.005

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "ratelimit",
  title: "4. Rate-limit efficiency",
  plan: (mode) => ({
    rounds: mode === "full" ? 5 : 1,
    jobs: [{
      scenario: "ratelimit",
      contender: library,
      params: { requests: mode === "full" ? 300 : 60, limit: 50, windowMillis: 2_000, burst: 5 }
    }]
  }),
  measure: async (job, { emulator, target }) => {
    const { burst, limit, requests, windowMillis } = job.params
    await emulator.reset()
    await emulator.setRateLimit(limit, windowMillis)
    const EffectLucca = await import("./contenders/EffectLucca.js")
    const client = await EffectLucca.requester(target, {
      rateLimit: { requests: limit, per: `${windowMillis} millis`, burst }
    })
    try {
      // the token is not an account API request: fetched before the clock starts
      await client.warmToken()
      const eventLoop = monitorEventLoopDelay({ resolution: 10 })
      eventLoop.enable()
      const start = performance.now()
      const ok = await client.batch(requests, requests)
      const seconds = (performance.now() - start) / 1000
      eventLoop.disable()
      const stats = await emulator.stats()
      const allowedPerSecond = limit / (windowMillis / 1000)
      // a token bucket: `burst` at once, then one every window × 1.005 / (limit - burst)
      const bucketSeconds = ((requests - burst) * windowMillis * (1 + jitterMargin)) / (limit - burst) / 1000
      return {
        requests,
        ok,
        tooManyRequests: stats.api.byStatus["429"] ?? 0,
        seconds,
        efficiency: requests / seconds / allowedPerSecond,
        ceiling: requests / bucketSeconds / allowedPerSecond,
        eventLoopMaxMillis: eventLoop.max / 1e6
      }
    } finally {
      await client.close()
    }
  },
  report: (outcomes) => {
    const results = Scenario.select(outcomes, library).map((o) => o.result)
    const params = outcomes[0]?.job.params
    const tooMany = results.map((r) => r.tooManyRequests)
    const efficiency = Stats.median(results.map((r) => r.efficiency))
    const failed = results.some((r) => r.ok !== r.requests)
    return [{
      scenario: `4. Rate-limit efficiency (${Table.count(params?.requests ?? Number.NaN)} requests, limit ${
        params?.limit ?? "?"
      } per ${(params?.windowMillis ?? Number.NaN) / 1000} s)`,
      contender: library,
      figures: [
        `${Table.count(Stats.median(tooMany))} × 429 (runs: ${tooMany.join(", ")})`,
        `${Stats.median(results.map((r) => r.seconds)).toFixed(1)} s`,
        `${(Stats.median(results.map((r) => r.requests / r.seconds))).toFixed(1)} req/s achieved`,
        `client event-loop delay max ${Table.millis(Stats.median(results.map((r) => r.eventLoopMaxMillis)))}`,
        ...(failed ? ["some requests did not answer 200"] : [])
      ].join("; "),
      ratio: `achieved/allowed ${efficiency.toFixed(3)}; token-bucket ceiling ${
        Stats.median(results.map((r) => r.ceiling)).toFixed(3)
      }`,
      target: "0 × 429; ≥ 0.90 of allowed rate",
      verdict: Math.max(...tooMany) === 0 && efficiency >= 0.9 && !failed ? "met" : "missed"
    }]
  }
})
