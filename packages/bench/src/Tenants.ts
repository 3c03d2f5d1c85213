/**
 * Scenario 6, tenants: the heap that many tenant clients cost in one process, through
 * `NodeLucca.layerTenants` (one undici dispatcher for all). Each tenant's client is built
 * by a first request (so that it holds its token), then left idle, kept within its idle
 * time to live; then every client is released. The heap is measured after garbage
 * collection (the process runs with `--expose-gc`), after a warm-up that builds and
 * releases a few hundred tenants (JIT, connections, lazily built modules).
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
  readonly tenants: number
  readonly ok: number
  readonly heapBefore: number
  /** Every tenant client built and idle (within its idle time to live). */
  readonly heapIdle: number
  /** Every tenant client released. */
  readonly heapReleased: number
  readonly seconds: number
}

const library = "effect-lucca NodeLucca.layerTenants"

const collectedHeap = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("the tenants scenario needs node --expose-gc")
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

const run = async (
  client: { readonly once: (tenant: string) => Promise<number> },
  prefix: string,
  count: number,
  concurrency: number
) => {
  let ok = 0
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const tenant = `${prefix}-${next++}`
      if (await client.once(tenant) === 200) ok++
    }
  }))
  return ok
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "tenants",
  title: "7. Tenants",
  plan: (mode) => ({
    rounds: mode === "full" ? 3 : 1,
    jobs: [{
      scenario: "tenants",
      contender: library,
      params: { tenants: mode === "full" ? 10_000 : 500, warmup: mode === "full" ? 500 : 50, concurrency: 32 },
      nodeFlags: ["--expose-gc"]
    }]
  }),
  measure: async (job, { emulator, target }) => {
    const { concurrency, tenants, warmup } = job.params
    await emulator.reset()
    const EffectLucca = await import("./contenders/EffectLucca.js")
    const client = await EffectLucca.tenants(target, "1 hour")
    try {
      await run(client, "warmup", warmup, concurrency)
      await client.releaseAll()
      const heapBefore = collectedHeap()
      const start = performance.now()
      const ok = await run(client, "tenant", tenants, concurrency)
      const seconds = (performance.now() - start) / 1000
      if (await client.built() !== tenants) throw new Error("some tenant clients were released early")
      const heapIdle = collectedHeap()
      await client.releaseAll()
      const heapReleased = collectedHeap()
      return { tenants, ok, heapBefore, heapIdle, heapReleased, seconds }
    } finally {
      await client.close()
    }
  },
  report: (outcomes) => {
    const results = Scenario.select(outcomes, library).map((o) => o.result)
    const params = outcomes[0]?.job.params
    const perIdle = results.map((r) => (r.heapIdle - r.heapBefore) / r.tenants)
    const perReleased = results.map((r) => (r.heapReleased - r.heapBefore) / r.tenants)
    const failed = results.some((r) => r.ok < r.tenants)
    return [{
      scenario: `7. Tenants (${Table.count(params?.tenants ?? Number.NaN)} tenant clients, one request each)`,
      contender: library,
      figures: [
        `heap ${Table.megabytes(Stats.median(results.map((r) => r.heapBefore)))} → ${
          Table.megabytes(Stats.median(results.map((r) => r.heapIdle)))
        } idle → ${Table.megabytes(Stats.median(results.map((r) => r.heapReleased)))} released`,
        `${kilobytes(Stats.median(perIdle))} per idle tenant client (runs: ${perIdle.map(kilobytes).join(", ")})`,
        `${kilobytes(Stats.median(perReleased))} per released tenant`,
        `${Stats.median(results.map((r) => r.seconds)).toFixed(1)} s to build them`,
        ...(failed ? ["some requests did not answer 200"] : [])
      ].join("; "),
      ratio: "",
      target: "≤ 10 KB per idle tenant client",
      verdict: Math.max(...perIdle) <= 10 * 1024 && !failed ? "met" : "missed"
    }]
  }
})
