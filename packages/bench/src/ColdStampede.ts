/**
 * Scenario 1, cold stampede: many concurrent callers on an empty cache. The emulator
 * counts the token requests each cache sends; one is the target.
 *
 * @since 0.0.0
 */
import * as Contender from "./contenders/Contender.js"
import * as Scenario from "./Scenario.js"
import * as Stats from "./Stats.js"
import * as Table from "./Table.js"

/**
 * @since 0.0.0
 * @category models
 */
export interface Result {
  readonly callers: number
  /** Token requests the emulator received. */
  readonly tokenRequests: number
  /** Callers that got a token (and, for `LuccaClient`, a 200). */
  readonly served: number
  /** How long the concurrent calls took, setup excluded. */
  readonly millis: number
}

const library = ["effect-lucca TokenProvider", "effect-lucca LuccaClient"] as const
const contenders = [
  ...library,
  "simple-oauth2 (expired() check-then-fetch)",
  "openid-client (check-then-fetch)",
  "naive cache (undici)"
] as const

const run = async (contender: string, target: Contender.Target, callers: number): Promise<Contender.Stampede> => {
  switch (contender) {
    case "effect-lucca TokenProvider":
      return (await import("./contenders/EffectLucca.js")).tokenProviderStampede(target, callers)
    case "effect-lucca LuccaClient":
      return (await import("./contenders/EffectLucca.js")).clientStampede(target, callers)
    case "simple-oauth2 (expired() check-then-fetch)":
      return Contender.stampede((await import("./contenders/SimpleOAuth2.js")).cache(target), callers)
    case "openid-client (check-then-fetch)": {
      const OpenIdClient = await import("./contenders/OpenIdClient.js")
      return Contender.stampede(OpenIdClient.cache(OpenIdClient.configuration(target)), callers)
    }
    case "naive cache (undici)":
      return Contender.stampede((await import("./contenders/Undici.js")).naiveCache(target), callers)
  }
  throw new Error(`unknown contender ${contender}`)
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "stampede",
  title: "1. Cold stampede",
  plan: (mode) => ({
    rounds: mode === "full" ? 3 : 1,
    jobs: contenders.map((contender) => ({
      scenario: "stampede",
      contender,
      params: { callers: mode === "full" ? 1000 : 200 }
    }))
  }),
  measure: async (job, context) => {
    const count = job.params.callers
    await context.emulator.reset()
    const { millis, served } = await run(job.contender, context.target, count)
    const stats = await context.emulator.stats()
    return { callers: count, tokenRequests: stats.token.total, served, millis }
  },
  report: (outcomes) =>
    contenders.map((contender) => {
      const results = Scenario.select(outcomes, contender).map((o) => o.result)
      const requests = results.map((r) => r.tokenRequests)
      const [low, high] = Stats.range(requests)
      const callers = results[0]?.callers ?? Number.NaN
      const served = Math.min(...results.map((r) => r.served))
      const isLibrary = (library as ReadonlyArray<string>).includes(contender)
      return {
        scenario: `1. Cold stampede (${Table.count(callers)} callers)`,
        contender,
        figures: `${Table.count(Stats.median(requests))} token request${Stats.median(requests) === 1 ? "" : "s"}${
          low === high ? "" : ` (runs: ${Table.count(low)}–${Table.count(high)})`
        }; ${Table.count(served)}/${Table.count(callers)} served; ${
          Table.millis(Stats.median(results.map((r) => r.millis)))
        }`,
        ratio: `${(Stats.median(requests) / callers).toFixed(3)} token requests per caller`,
        target: isLibrary ? "1 token request" : "(comparison)",
        verdict: isLibrary ? (high === 1 && served === callers ? "met" : "missed") : "reference"
      }
    })
})
