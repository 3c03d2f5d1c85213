/**
 * `pnpm bench [--quick] [--rounds N] [--only id,id] [--source] [--cpu-prof DIR] [--help]`: runs the scenarios
 * against the emulator on loopback and prints the machine, the versions and the table on
 * stdout (progress goes to stderr).
 *
 * @since 0.0.0
 */
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as Bench from "./Bench.js"
import * as BrowserBundle from "./BrowserBundle.js"
import * as Machine from "./Machine.js"
import * as Scenarios from "./Scenarios.js"
import * as Tsx from "./Tsx.js"

const usage = `Usage: pnpm bench [options]

Runs the benchmark scenarios against the Lucca emulator on loopback, then prints the
machine, the versions and one table on stdout; progress lines go to stderr as each
measurement ends.

Options:
  --quick            every job once, with small sizes, in one process: proves the wiring,
                     the figures prove nothing (about 20 s)
  --rounds <n>       rounds of every scenario (default: each scenario's own, 3 to 5);
                     ignored with --quick
  --only <ids>       comma-separated scenarios to run: ${
  [...Scenarios.all.map((s) => s.id), BrowserBundle.id].join(",")
}
                     (default: all)
  --source           measure the packages' TypeScript source through tsx instead of
                     their built ESM (which is compiled first, and is what npm users run)
  --cpu-prof <dir>   write a .cpuprofile of every measuring process into <dir>
  -h, --help         show this help
`

/** A misused command: one line and a hint on stderr, exit code 2, no stack trace. */
const usageError = (message: string): never => {
  process.stderr.write(`bench: ${message}\nRun 'pnpm bench --help' for the options.\n`)
  return process.exit(2)
}

const parse = () => {
  try {
    return parseArgs({
      // pnpm passes a lone "--" through when the script is run as `pnpm bench -- --quick`
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: {
        quick: { type: "boolean", default: false },
        rounds: { type: "string" },
        only: { type: "string" },
        source: { type: "boolean", default: false },
        "cpu-prof": { type: "string" },
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

const rounds = values.rounds === undefined ? undefined : Number(values.rounds)
if (rounds !== undefined && (!Number.isSafeInteger(rounds) || rounds < 1)) {
  usageError(`--rounds must be a whole number of at least 1, got '${values.rounds}'`)
}
const known = new Set([...Scenarios.all.map((s) => s.id), BrowserBundle.id])
const only = values.only?.split(",").map((id) => id.trim())
for (const id of only ?? []) {
  if (!known.has(id)) usageError(`--only: unknown scenario '${id}' (known: ${[...known].join(", ")})`)
}

const mode = values.quick ? "quick" : "full"
Tsx.useCode(values.source ? "source" : "built")
const report = await Bench.run({
  mode,
  rounds,
  only,
  cpuProfileDir: values["cpu-prof"] === undefined ? undefined : Path.resolve(values["cpu-prof"]),
  log: (line) => process.stderr.write(`${line}\n`)
})

// other work may land while the benchmark runs: say so when the code changed under it
const revisionAtEnd = Machine.revision()
const lines = [
  `effect-lucca bench (${mode}${mode === "quick" ? ": reduced sizes, one round; figures prove nothing" : ""})`,
  ...report.header,
  ...(report.header.some((line) => line.startsWith(`code measured: ${revisionAtEnd},`))
    ? []
    : [`code at the end of the run: ${revisionAtEnd}`]),
  "",
  report.table,
  ...(report.notes.length === 0 ? [] : ["", ...report.notes]),
  ""
]
process.stdout.write(lines.join("\n"))
process.exitCode = report.failures === 0 ? 0 : 1
