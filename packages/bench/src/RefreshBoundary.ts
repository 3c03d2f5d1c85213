/**
 * Scenario 2, refresh boundary: a steady open-loop load while short-lived tokens reach
 * their refresh window, with 50 ms added to every token request (an injected
 * `Fault.Delay`). Compares the latency of the requests around each token request with
 * the steady state, and counts the requests that waited for the token host.
 *
 * - around a refresh: requests that started between 100 ms before a token request and
 *   100 ms after its answer (token requests as timed by the client that sent them);
 * - steady state: every other request;
 * - waited: requests whose span holds a whole token request (they started before it and
 *   ended after its answer): a request that waited for a token has that shape, and a
 *   request merely slowed by a noisy machine almost never does.
 *
 * @since 0.0.0
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import type * as Contender from "./contenders/Contender.js"
import * as Load from "./Load.js"
import * as Scenario from "./Scenario.js"
import * as Stats from "./Stats.js"
import * as Table from "./Table.js"

/**
 * Latency percentiles of a set of requests, in milliseconds.
 *
 * @since 0.0.0
 * @category models
 */
export interface Latency {
  readonly count: number
  readonly p50: number
  readonly p99: number
}

/**
 * @since 0.0.0
 * @category models
 */
export interface Result {
  readonly requests: number
  readonly failed: number
  /** Token requests sent during the measured load. */
  readonly tokenRequests: number
  readonly around: Latency
  readonly steady: Latency
  /** Requests whose span holds a whole token request. */
  readonly waited: number
  /** The longest event-loop delay of the client process during the load, in milliseconds. */
  readonly eventLoopMaxMillis: number
}

const library = "effect-lucca LuccaClient"
const contenders = [
  library,
  "simple-oauth2 + undici.request",
  "openid-client fetchProtectedResource"
] as const

/** Requests this close to a token request (before its start, after its end) are "around" it. */
const aroundMillis = 100

const latency = (samples: ReadonlyArray<Load.Sample>): Latency => {
  const durations = samples.map((s) => s.end - s.start)
  return { count: durations.length, p50: Stats.percentile(durations, 50), p99: Stats.percentile(durations, 99) }
}

const requester = async (
  contender: string,
  target: Contender.Target,
  log: Contender.TokenLog,
  windowSeconds: number
): Promise<Contender.Requester> => {
  switch (contender) {
    case library:
      return (await import("./contenders/EffectLucca.js")).requester(target, { log })
    case "simple-oauth2 + undici.request": {
      const cache = (await import("./contenders/SimpleOAuth2.js")).cache(target, { windowSeconds, log })
      return (await import("./contenders/Undici.js")).cachedRequester(target, cache)
    }
    case "openid-client fetchProtectedResource": {
      const OpenIdClient = await import("./contenders/OpenIdClient.js")
      const config = OpenIdClient.configuration(target)
      return OpenIdClient.requester(target, config, OpenIdClient.cache(config, { windowSeconds, log }))
    }
  }
  throw new Error(`unknown contender ${contender}`)
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "refresh",
  title: "2. Refresh boundary",
  plan: (mode) => ({
    rounds: mode === "full" ? 5 : 1,
    jobs: contenders.map((contender) => ({
      scenario: "refresh",
      contender,
      params: {
        lifetimeSeconds: 2,
        tokenDelayMillis: 50,
        rate: mode === "full" ? 200 : 100,
        durationMillis: mode === "full" ? 15_000 : 2_000,
        warmup: mode === "full" ? 200 : 50
      }
    }))
  }),
  measure: async (job, { emulator, target }) => {
    const { durationMillis, lifetimeSeconds, rate, tokenDelayMillis, warmup } = job.params
    await emulator.reset()
    await emulator.setTokenLifetime(lifetimeSeconds * 1000)
    // every token request of the run is delayed (the count only bounds the fault)
    await emulator.delayTokenRequests(tokenDelayMillis, 100_000)
    const log: Contender.TokenLog = []
    // the documented caches refresh a tenth of the lifetime ahead, like this library's hard margin
    const client = await requester(job.contender, target, log, lifetimeSeconds / 10)
    try {
      // warm-up, not measured: the first token, then enough requests for the JIT
      await client.batch(warmup, 4)
      const eventLoop = monitorEventLoopDelay({ resolution: 10 })
      eventLoop.enable()
      const begin = performance.now()
      const samples = await Load.openLoop({ rate, durationMillis, send: client.once })
      eventLoop.disable()
      const refreshes = log.filter(([start]) => start >= begin)
      const isAround = (sample: Load.Sample) =>
        refreshes.some(([start, end]) => sample.start >= start - aroundMillis && sample.start <= end + aroundMillis)
      return {
        requests: samples.length,
        failed: samples.filter((s) => !s.ok).length,
        tokenRequests: refreshes.length,
        around: latency(samples.filter(isAround)),
        steady: latency(samples.filter((s) => !isAround(s))),
        waited: samples.filter((s) => refreshes.some(([start, end]) => s.start <= start && s.end >= end)).length,
        eventLoopMaxMillis: eventLoop.max / 1e6
      }
    } finally {
      await client.close()
    }
  },
  report: (outcomes) =>
    contenders.map((contender) => {
      const results = Scenario.select(outcomes, contender)
      const figure = (f: (r: Result) => number) => Stats.median(results.map((o) => f(o.result)))
      const p99Ratio = Stats.median(results.map((o) => o.result.around.p99 / o.result.steady.p99))
      const p50Ratio = Stats.median(results.map((o) => o.result.around.p50 / o.result.steady.p50))
      const waited = results.map((o) => o.result.waited)
      const params = results[0]?.job.params
      const isLibrary = contender === library
      return {
        scenario: `2. Refresh boundary (${params?.lifetimeSeconds ?? "?"} s tokens, +${
          params?.tokenDelayMillis ?? "?"
        } ms token host, ${params?.rate ?? "?"} req/s)`,
        contender,
        figures: [
          `around refresh p50 ${Table.millis(figure((r) => r.around.p50))} p99 ${
            Table.millis(figure((r) => r.around.p99))
          } (${Table.count(figure((r) => r.around.count))} req)`,
          `steady p50 ${Table.millis(figure((r) => r.steady.p50))} p99 ${Table.millis(figure((r) => r.steady.p99))}`,
          `waited for token host: ${Table.count(Stats.median(waited))} of ${Table.count(figure((r) => r.requests))}`,
          `${Table.count(figure((r) => r.tokenRequests))} token requests`,
          `client event-loop delay max ${Table.millis(figure((r) => r.eventLoopMaxMillis))}`,
          ...(figure((r) => r.failed) > 0 ? [`${Table.count(figure((r) => r.failed))} failed`] : [])
        ].join("; "),
        ratio: `p99 around/steady ${Table.ratio(p99Ratio)}; p50 ${Table.ratio(p50Ratio)}`,
        target: isLibrary ? "none waited; p99 ≤ 1.10x steady" : "(comparison)",
        verdict: !isLibrary
          ? "reference"
          : Math.max(...waited) === 0 && p99Ratio <= 1.1 && results.every((o) => o.result.failed === 0)
          ? "met"
          : "missed"
      }
    })
})
