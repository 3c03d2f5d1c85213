/**
 * Scenario 3, overhead: requests per second and client CPU time per request of one
 * cheap GET, at concurrency 1 and 32, for `undici.request` with a static header (the
 * floor), a bare `@effect/platform` `HttpClient`, this library's `LuccaClient` (pacing
 * off) and `openid-client`'s `fetchProtectedResource`.
 *
 * CPU time is `process.cpuUsage()` of the measuring process only: the emulator runs in
 * its own process. Its CPU time is read too, to tell when the emulator, not the client,
 * set the pace (then requests per second say little, and CPU time per request is the
 * figure to compare).
 *
 * @since 0.0.0
 */
import type * as Contender from "./contenders/Contender.js"
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
  readonly requestsPerSecond: number
  /** Client CPU time (user + system) per request, in microseconds. */
  readonly cpuMicrosPerRequest: number
  /** Share of the wall time the emulator process spent on CPU. */
  readonly emulatorBusy: number
}

const floor = "undici.request (static header)"
const bare = "@effect/platform HttpClient (static bearer)"
const library = "effect-lucca LuccaClient (rateLimit: false)"
const openId = "openid-client fetchProtectedResource"
const contenders = [floor, bare, library, openId] as const
const concurrencies = [1, 32] as const

const requester = async (contender: string, target: Contender.Target): Promise<Contender.Requester> => {
  switch (contender) {
    case floor: {
      const Undici = await import("./contenders/Undici.js")
      return Undici.staticRequester(target, (await Undici.fetchToken(target.tokenUrl)).accessToken)
    }
    case bare: {
      const { fetchToken } = await import("./contenders/Undici.js")
      const EffectPlatform = await import("./contenders/EffectPlatform.js")
      return EffectPlatform.staticRequester(target, (await fetchToken(target.tokenUrl)).accessToken)
    }
    case library:
      return (await import("./contenders/EffectLucca.js")).requester(target)
    case openId: {
      const OpenIdClient = await import("./contenders/OpenIdClient.js")
      const config = OpenIdClient.configuration(target)
      // the token is fetched once by openid-client itself, then served from a variable
      const accessToken = await OpenIdClient.cache(config).getToken()
      return OpenIdClient.requester(target, config, { getToken: () => Promise.resolve(accessToken) })
    }
  }
  throw new Error(`unknown contender ${contender}`)
}

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "overhead",
  title: "3. Overhead",
  plan: (mode) => ({
    rounds: mode === "full" ? 5 : 1,
    jobs: concurrencies.flatMap((concurrency) =>
      contenders.map((contender) => ({
        scenario: "overhead",
        contender,
        params: {
          concurrency,
          requests: mode === "full" ? 20_000 : 200,
          warmup: mode === "full" ? 2_000 : 50
        }
      }))
    )
  }),
  measure: async (job, { emulator, target }) => {
    const { concurrency, requests, warmup } = job.params
    await emulator.reset()
    const client = await requester(job.contender, target)
    try {
      // warm-up, not measured: connections, JIT, the token
      await client.batch(warmup, concurrency)
      const emulatorBefore = await emulator.cpuUsage()
      const cpuBefore = process.cpuUsage()
      const start = performance.now()
      const ok = await client.batch(requests, concurrency)
      const elapsed = performance.now() - start
      const cpu = cpuMicros(process.cpuUsage(cpuBefore))
      const emulatorAfter = await emulator.cpuUsage()
      return {
        requests,
        ok,
        requestsPerSecond: (requests * 1000) / elapsed,
        cpuMicrosPerRequest: cpu / requests,
        emulatorBusy: (cpuMicros(emulatorAfter) - cpuMicros(emulatorBefore)) / 1000 / elapsed
      }
    } finally {
      await client.close()
    }
  },
  report: (outcomes) =>
    concurrencies.flatMap((concurrency) => {
      const of = (contender: string) => Scenario.select(outcomes, contender, { concurrency })
      const rps = (r: Result) => r.requestsPerSecond
      // CPU efficiency: how many requests per CPU second, so that higher is better in both ratios
      const efficiency = (r: Result) => 1 / r.cpuMicrosPerRequest
      const ratios = (contender: string, reference: string) => ({
        throughput: Stats.median(Scenario.roundRatios(of(contender), of(reference), rps)),
        cpu: Stats.median(Scenario.roundRatios(of(contender), of(reference), efficiency))
      })
      return contenders.map((contender): Scenario.Row => {
        const results = of(contender).map((o) => o.result)
        const requests = results[0]?.requests ?? Number.NaN
        const failed = results.some((r) => r.ok !== r.requests)
        const toFloor = ratios(contender, floor)
        const figures = [
          `${Table.count(Stats.median(results.map(rps)))} req/s`,
          `${Table.count(Stats.median(results.map((r) => r.cpuMicrosPerRequest)))} µs CPU/req`,
          `emulator busy ${Math.round(Stats.median(results.map((r) => r.emulatorBusy)) * 100)}%`,
          ...(failed ? ["some requests did not answer 200"] : [])
        ].join("; ")
        const scenarioTitle = `3. Overhead (concurrency ${concurrency}, ${Table.count(requests)} requests)`
        const floorRatio = `vs undici: ${Table.ratio(toFloor.throughput)} req/s, ${
          Table.ratio(toFloor.cpu)
        } CPU efficiency`
        if (contender !== library) {
          return {
            scenario: scenarioTitle,
            contender,
            figures,
            ratio: contender === floor ? "(floor)" : floorRatio,
            target: "(comparison)",
            verdict: "reference"
          }
        }
        const toBare = ratios(library, bare)
        const toOpenId = ratios(library, openId)
        const met = !failed && toBare.throughput >= 0.95 && toBare.cpu >= 0.95 && toOpenId.throughput >= 1 &&
          toOpenId.cpu >= 1
        return {
          scenario: scenarioTitle,
          contender,
          figures,
          ratio: [
            `vs bare Effect: ${Table.ratio(toBare.throughput)} req/s, ${Table.ratio(toBare.cpu)} CPU efficiency`,
            `vs openid-client: ${Table.ratio(toOpenId.throughput)} req/s, ${Table.ratio(toOpenId.cpu)} CPU efficiency`,
            floorRatio
          ].join("; "),
          target: "≥ 0.95x bare Effect; ≥ 1.00x openid-client (req/s and CPU)",
          verdict: met ? "met" : "missed"
        }
      })
    })
})
