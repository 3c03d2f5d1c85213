/**
 * `pnpm chaos [--operations N] [--concurrency N] [--seed N] [--help]`: a long chaos run that
 * prints its table and fails when a promise of the client was broken.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import { parseArgs } from "node:util"
import * as ChaosRun from "./ChaosRun.js"

const usage = `Usage: pnpm chaos [options]

Runs a mixed workload (employee lists and items, departments, leave creations) through one
LuccaClient against the Lucca emulator on loopback, while the emulator fails token
requests, revokes tokens, drops connections, slows down and rate-limits. Prints what
happened and exits with 1 when a promise of the client was broken.

Options:
  --operations <n>    operations to run (default ${ChaosRun.defaults.operations})
  --concurrency <n>   fibers running them (default ${ChaosRun.defaults.concurrency})
  --seed <n>          seed of the operation mix and of the faults (default ${ChaosRun.defaults.seed})
  -h, --help          show this help
`

const legend = `
operations                 requests sent through the client, ${"`fibers`"} at a time
failures                   operations that failed, by what they ended with; each is allowed:
                           its retry budget was spent, its fresh token was revoked too, or it
                           was a POST that must not be sent twice
retries                    requests sent again after a 408, 429, 5xx or a dropped connection
retries after a 401        requests sent again with a fresh token after theirs was revoked
token requests (failed)    requests to the token endpoint; the failed ones were injected
429s seen                  answers of the emulator's rate limit, set tighter than the client's pace
duplicate non-idempotent   POSTs the server may have processed twice: must be 0
failures with retries left failures the client should have retried: must be 0
secrets in logs, ...       the client secret or a token found in a log, span or error: must be none`

/** A misused command: one line and a hint on stderr, exit code 2, no stack trace. */
const usageError = (message: string): never => {
  process.stderr.write(`chaos: ${message}\nRun 'pnpm chaos --help' for the options.\n`)
  return process.exit(2)
}

const parse = () => {
  try {
    return parseArgs({
      // pnpm passes a lone "--" through when the script is run as `pnpm chaos -- --seed 3`
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: {
        operations: { type: "string", default: String(ChaosRun.defaults.operations) },
        concurrency: { type: "string", default: String(ChaosRun.defaults.concurrency) },
        seed: { type: "string", default: String(ChaosRun.defaults.seed) },
        help: { type: "boolean", short: "h", default: false }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (cause) {
    return usageError(cause instanceof Error ? cause.message : String(cause))
  }
}

const values = parse()
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}

const whole = (name: string, value: string) => {
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= 1
    ? n
    : usageError(`--${name} must be a whole number of at least 1, got '${value}'`)
}

const options: ChaosRun.Options = {
  ...ChaosRun.defaults,
  operations: whole("operations", values.operations),
  concurrency: whole("concurrency", values.concurrency),
  seed: whole("seed", values.seed)
}

// The faults are injected on purpose: what the client logs about them (a refresh ahead that
// failed, ...) is counted and summed up after the table, one line per message, without
// causes or stack traces.
const logged = new Map<string, number>()
const countingLogger = Logger.make(({ logLevel, message }) => {
  const text = `${logLevel.label} ${(Array.isArray(message) ? message : [message]).map(String).join(" ")}`
  logged.set(text, (logged.get(text) ?? 0) + 1)
})

Effect.gen(function*() {
  yield* Console.log(`Chaos run against the Lucca emulator on loopback (seed ${options.seed})\n`)
  const report = yield* ChaosRun.run(options).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, countingLogger)))
  yield* Console.log(ChaosRun.format(report))
  yield* Console.log(legend)
  if (logged.size > 0) {
    yield* Console.log("\nlogged by the client during the run:")
    for (const [text, n] of logged) yield* Console.log(`  ${String(n).padStart(5)} × ${text}`)
  }
  for (const violation of report.violations.slice(0, 10)) yield* Console.error(`  ${violation}`)
  const broken = report.violations.length + report.duplicateNonIdempotent + report.leaks.length
  if (broken > 0) {
    yield* Console.error(`\nchaos: ${broken} broken promise(s)`)
    process.exitCode = 1
  }
}).pipe(NodeRuntime.runMain({ disablePrettyLogger: true }))
