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
 * The verdict against the bare client comes from a paired job: both clients in one
 * process, in alternating blocks, so that the drift of a shared machine between two
 * processes minutes apart does not decide a 5 % target. One pair's ratio still moves by
 * ±10 % with the machine: the verdict is the median of many pairs (40 per round, every
 * round's pairs pooled), printed with a 95 % bootstrap interval of that median, which says
 * whether that many pairs are enough to tell the ratio from the 0.95x target.
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
  /**
   * The paired job only: for each pair of blocks run back to back in one process,
   * `LuccaClient` over the bare client, in requests per second and in CPU efficiency.
   */
  readonly pairs?: ReadonlyArray<{ readonly throughput: number; readonly cpu: number }>
}

const floor = "undici.request (static header)"
const bare = "@effect/platform HttpClient (static bearer)"
const library = "effect-lucca LuccaClient (rateLimit: false)"
const openId = "openid-client fetchProtectedResource"
const contenders = [floor, bare, library, openId] as const
const concurrencies = [1, 32] as const
/**
 * `LuccaClient` and the bare client in one process, in alternating blocks: two clients
 * measured minutes apart in separate processes differ by ±10 % on a shared machine, more
 * than the 5 % the target is about; blocks a few seconds apart cancel that drift.
 */
const paired = "LuccaClient vs bare Effect, alternating blocks in one process"
const target = 0.95

/** `0.97x (95 % CI 0.95x–0.99x)`, with a warning when the interval holds the target. */
const withInterval = (samples: ReadonlyArray<number>): string => {
  const [low, high] = Stats.medianInterval(samples)
  const undecided = low < target && high >= target
  return `${Table.ratio(Stats.median(samples))} (95 % CI ${Table.ratio(low)}–${Table.ratio(high)}${
    undecided ? `, holds ${Table.ratio(target)}: more pairs needed` : ""
  })`
}

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

/** One batch, with its wall time and the CPU time of this process. */
const measureBlock = async (client: Contender.Requester, requests: number, concurrency: number) => {
  // with `--expose-gc`, the garbage of the block before is collected before this one starts,
  // so that neither client of a pair pays for the other's
  ;(globalThis as { gc?: () => void }).gc?.()
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  const ok = await client.batch(requests, concurrency)
  return { ok, millis: performance.now() - start, cpu: cpuMicros(process.cpuUsage(cpuBefore)) }
}

const measurePairs = async (
  lucca: Contender.Requester,
  base: Contender.Requester,
  params: { readonly concurrency: number; readonly pairs: number; readonly block: number; readonly warmup: number }
): Promise<Result> => {
  try {
    await lucca.batch(params.warmup, params.concurrency)
    await base.batch(params.warmup, params.concurrency)
    const size = params.block
    const blocks = params.pairs
    const pairs: Array<{ throughput: number; cpu: number }> = []
    let ok = 0
    let millis = 0
    let cpu = 0
    for (let i = 0; i < blocks; i++) {
      // which one goes first alternates, so that neither always follows the other
      const first = await measureBlock(i % 2 === 0 ? lucca : base, size, params.concurrency)
      const second = await measureBlock(i % 2 === 0 ? base : lucca, size, params.concurrency)
      const [l, b] = i % 2 === 0 ? [first, second] : [second, first]
      pairs.push({ throughput: b.millis / l.millis, cpu: b.cpu / l.cpu })
      ok += l.ok
      millis += l.millis
      cpu += l.cpu
    }
    return {
      requests: size * blocks,
      ok,
      requestsPerSecond: (size * blocks * 1000) / millis,
      cpuMicrosPerRequest: cpu / (size * blocks),
      emulatorBusy: Number.NaN,
      pairs
    }
  } finally {
    await lucca.close()
    await base.close()
  }
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "overhead",
  title: "3. Overhead",
  plan: (mode) => ({
    rounds: mode === "full" ? 5 : 1,
    jobs: concurrencies.flatMap((concurrency) => [
      ...contenders.map((contender) => ({
        scenario: "overhead",
        contender,
        params: {
          concurrency,
          requests: mode === "full" ? 20_000 : 200,
          warmup: mode === "full" ? 2_000 : 50
        }
      })),
      {
        scenario: "overhead",
        contender: paired,
        params: {
          concurrency,
          // 40 pairs of 1,000 requests: at concurrency 32 a block lasts about half a second on
          // a quiet machine, long enough for its ramp-up and tail to weigh ~3 %, the same for both
          pairs: mode === "full" ? 40 : 4,
          block: mode === "full" ? 1_000 : 50,
          warmup: mode === "full" ? 2_000 : 50
        },
        nodeFlags: ["--expose-gc"]
      }
    ])
  }),
  measure: async (job, { emulator, target }) => {
    const { concurrency, requests, warmup } = job.params
    await emulator.reset()
    if (job.contender === paired) {
      return measurePairs(await requester(library, target), await requester(bare, target), {
        concurrency,
        pairs: job.params.pairs,
        block: job.params.block,
        warmup
      })
    }
    const client = await requester(job.contender, target)
    try {
      // warm-up, not measured: connections, JIT, the token
      await client.batch(warmup, concurrency)
      const emulatorBefore = await emulator.cpuUsage()
      const { cpu, millis, ok } = await measureBlock(client, requests, concurrency)
      const emulatorAfter = await emulator.cpuUsage()
      return {
        requests,
        ok,
        requestsPerSecond: (requests * 1000) / millis,
        cpuMicrosPerRequest: cpu / requests,
        emulatorBusy: (cpuMicros(emulatorAfter) - cpuMicros(emulatorBefore)) / 1000 / millis
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
      const pairs = of(paired).flatMap((o) => o.result.pairs ?? [])
      const pairedFailed = of(paired).some((o) => o.result.ok !== o.result.requests)
      const inPairs = {
        throughput: Stats.median(pairs.map((p) => p.throughput)),
        cpu: Stats.median(pairs.map((p) => p.cpu))
      }
      const pairedRequests = Stats.median(of(paired).map((o) => o.result.requests))
      const pairedRow: Scenario.Row = {
        scenario: `3. Overhead (concurrency ${concurrency}, ${Table.count(pairedRequests)} requests each per round)`,
        contender: paired,
        figures: [
          `${pairs.length} pairs of blocks of ${
            Table.count(Stats.median(of(paired).map((o) => o.job.params.block)))
          } requests`,
          `LuccaClient ${Table.count(Stats.median(of(paired).map((o) => o.result.cpuMicrosPerRequest)))} µs CPU/req`,
          ...(pairedFailed ? ["some requests did not answer 200"] : [])
        ].join("; "),
        ratio: `LuccaClient / bare, median of the pairs: ${withInterval(pairs.map((p) => p.throughput))} req/s, ${
          withInterval(pairs.map((p) => p.cpu))
        } CPU efficiency (CPU quartiles ${
          [25, 75].map((p) => Table.ratio(Stats.percentile(pairs.map((pair) => pair.cpu), p))).join("–")
        })`,
        target: "(used for the LuccaClient row's verdict)",
        verdict: "reference"
      }
      const rows = contenders.map((contender): Scenario.Row => {
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
        // against the bare client: the paired blocks (drift cancelled); without them, the
        // separate processes
        const againstBare = pairs.length === 0 ? toBare : inPairs
        const met = !failed && !pairedFailed && againstBare.throughput >= target && againstBare.cpu >= target &&
          toOpenId.throughput >= 1 && toOpenId.cpu >= 1
        return {
          scenario: scenarioTitle,
          contender,
          figures,
          ratio: [
            ...(pairs.length === 0 ? [] : [
              `vs bare Effect in alternating blocks: ${withInterval(pairs.map((p) => p.throughput))} req/s, ${
                withInterval(pairs.map((p) => p.cpu))
              } CPU efficiency`
            ]),
            `vs bare Effect in separate processes: ${Table.ratio(toBare.throughput)} req/s, ${
              Table.ratio(toBare.cpu)
            } CPU efficiency`,
            `vs openid-client: ${Table.ratio(toOpenId.throughput)} req/s, ${Table.ratio(toOpenId.cpu)} CPU efficiency`,
            floorRatio
          ].join("; "),
          target: "≥ 0.95x bare Effect; ≥ 1.00x openid-client (req/s and CPU)",
          verdict: met ? "met" : "missed"
        }
      })
      return pairs.length === 0 ? rows : [...rows, pairedRow]
    })
})
