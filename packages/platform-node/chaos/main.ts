/**
 * `pnpm chaos [--operations N] [--concurrency N] [--seed N]`: a long chaos run that prints
 * its table and fails when a promise of the client was broken.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { parseArgs } from "node:util"
import * as ChaosRun from "./ChaosRun.js"

const { values } = parseArgs({
  options: {
    operations: { type: "string", default: String(ChaosRun.defaults.operations) },
    concurrency: { type: "string", default: String(ChaosRun.defaults.concurrency) },
    seed: { type: "string", default: String(ChaosRun.defaults.seed) }
  }
})

const whole = (name: string, value: string) => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1`)
  return n
}

const options: ChaosRun.Options = {
  ...ChaosRun.defaults,
  operations: whole("operations", values.operations),
  concurrency: whole("concurrency", values.concurrency),
  seed: whole("seed", values.seed)
}

Effect.gen(function*() {
  yield* Console.log(`Chaos run against the Lucca emulator on loopback (seed ${options.seed})\n`)
  const report = yield* ChaosRun.run(options)
  yield* Console.log(ChaosRun.format(report))
  for (const violation of report.violations.slice(0, 10)) yield* Console.error(`  ${violation}`)
  const broken = report.violations.length + report.duplicateNonIdempotent + report.leaks.length
  if (broken > 0) return yield* Effect.fail(`${broken} broken promise(s)`)
}).pipe(NodeRuntime.runMain)
