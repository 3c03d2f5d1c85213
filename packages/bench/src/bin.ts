/**
 * `pnpm bench [--quick] [--rounds N] [--only id,id] [--cpu-prof DIR]`: runs the scenarios
 * against the emulator on loopback and prints the machine, the versions and the table on
 * stdout (progress goes to stderr).
 *
 * @since 0.0.0
 */
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as Bench from "./Bench.js"
import * as Machine from "./Machine.js"

const { values } = parseArgs({
  // pnpm passes a lone "--" through when the script is run as `pnpm bench -- --quick`
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    only: { type: "string" },
    "cpu-prof": { type: "string" }
  },
  strict: true
})

const rounds = values.rounds === undefined ? undefined : Number(values.rounds)
if (rounds !== undefined && (!Number.isSafeInteger(rounds) || rounds < 1)) {
  throw new Error(`--rounds must be a whole number of at least 1, got ${values.rounds}`)
}

const mode = values.quick ? "quick" : "full"
const report = await Bench.run({
  mode,
  rounds,
  only: values.only?.split(",").map((id) => id.trim()),
  cpuProfileDir: values["cpu-prof"] === undefined ? undefined : Path.resolve(values["cpu-prof"]),
  log: (line) => process.stderr.write(`${line}\n`)
})

// other work may land while the benchmark runs: say so when the code changed under it
const revisionAtEnd = Machine.revision()
const lines = [
  `effect-lucca bench (${mode}${mode === "quick" ? ": reduced sizes, one round; figures prove nothing" : ""})`,
  ...report.header,
  ...(report.header.includes(`code measured: ${revisionAtEnd}`)
    ? []
    : [`code at the end of the run: ${revisionAtEnd}`]),
  "",
  report.table,
  ...(report.notes.length === 0 ? [] : ["", ...report.notes]),
  ""
]
process.stdout.write(lines.join("\n"))
process.exitCode = report.failures === 0 ? 0 : 1
