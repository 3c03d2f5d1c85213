/**
 * Scenario 5, memory: the client process's heap after garbage collection, before and
 * after many requests through one `LuccaClient` spanning many token refreshes (short-lived
 * tokens). The process runs with `--expose-gc`.
 *
 * The requests are sent in as many segments as refreshes are wanted; a segment that ends
 * before the next refresh has happened waits for it, so that the run spans at least that
 * many refreshes however fast the machine is.
 *
 * @since 0.0.0
 */
import * as Scenario from "./Scenario.js"
import * as Stats from "./Stats.js"
import * as Table from "./Table.js"

/**
 * @since 0.0.0
 * @category models
 */
export interface Result {
  /** Requests sent while measured: the planned ones, and any sent while waiting for a refresh. */
  readonly requests: number
  readonly ok: number
  /** Tokens issued during the measured requests. */
  readonly refreshes: number
  readonly heapBefore: number
  readonly heapAfter: number
  readonly seconds: number
}

const library = "effect-lucca LuccaClient"

const collectedHeap = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("the memory scenario needs node --expose-gc")
  // twice: the first collection may leave objects that only the second can free
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "memory",
  title: "5. Memory",
  plan: (mode) => ({
    rounds: mode === "full" ? 3 : 1,
    jobs: [{
      scenario: "memory",
      contender: library,
      params: {
        requests: mode === "full" ? 100_000 : 1_000,
        refreshes: mode === "full" ? 48 : 2,
        lifetimeSeconds: 2,
        concurrency: 32,
        warmup: mode === "full" ? 2_000 : 200
      },
      nodeFlags: ["--expose-gc"]
    }]
  }),
  measure: async (job, { emulator, target }) => {
    const { concurrency, lifetimeSeconds, refreshes, requests, warmup } = job.params
    await emulator.reset()
    await emulator.setTokenLifetime(lifetimeSeconds * 1000)
    const EffectLucca = await import("./contenders/EffectLucca.js")
    const client = await EffectLucca.requester(target)
    try {
      // warm-up: connections, JIT, lazily built state, a first refresh
      await client.batch(warmup, concurrency)
      const issuedBefore = (await emulator.stats()).token.issued
      const heapBefore = collectedHeap()
      const start = performance.now()
      let ok = 0
      let sent = 0
      for (let segment = 1; segment <= refreshes; segment++) {
        const size = Math.floor((requests * segment) / refreshes) - Math.floor((requests * (segment - 1)) / refreshes)
        ok += await client.batch(size, concurrency)
        sent += size
        // bounded wait for the segment's refresh: a token lives `lifetimeSeconds`
        for (let polls = 0; polls < 100 * lifetimeSeconds; polls++) {
          if ((await emulator.stats()).token.issued - issuedBefore >= segment) break
          // a refresh starts when a request asks for the token: keep asking
          ok += await client.batch(concurrency, concurrency)
          sent += concurrency
        }
      }
      const seconds = (performance.now() - start) / 1000
      const heapAfter = collectedHeap()
      const issued = (await emulator.stats()).token.issued - issuedBefore
      return { requests: sent, ok, refreshes: issued, heapBefore, heapAfter, seconds }
    } finally {
      await client.close()
    }
  },
  report: (outcomes) => {
    const results = Scenario.select(outcomes, library).map((o) => o.result)
    const growth = results.map((r) => r.heapAfter - r.heapBefore)
    const params = outcomes[0]?.job.params
    const refreshes = Math.min(...results.map((r) => r.refreshes))
    const wanted = params?.refreshes ?? Number.NaN
    const failed = results.some((r) => r.ok < r.requests)
    return [{
      scenario: `5. Memory (${Table.count(params?.requests ?? Number.NaN)} requests, ≥ ${wanted} refreshes)`,
      contender: library,
      figures: [
        `heap ${Table.megabytes(Stats.median(results.map((r) => r.heapBefore)))} → ${
          Table.megabytes(Stats.median(results.map((r) => r.heapAfter)))
        }`,
        `growth ${Table.megabytes(Stats.median(growth), true)} (runs: ${
          growth.map((g) => Table.megabytes(g, true)).join(", ")
        })`,
        `${Table.count(Stats.median(results.map((r) => r.requests)))} requests, ${Table.count(refreshes)} refreshes`,
        `${Stats.median(results.map((r) => r.seconds)).toFixed(0)} s`,
        ...(failed ? ["some requests did not answer 200"] : [])
      ].join("; "),
      ratio: "",
      target: "growth < 5 MB",
      verdict: Math.max(...growth) < 5e6 && refreshes >= wanted && !failed ? "met" : "missed"
    }]
  }
})
