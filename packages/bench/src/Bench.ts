/**
 * The benchmark run: one emulator process per scenario, each measurement in a fresh
 * measuring process, rounds interleaved (the order of the contenders rotates from one
 * round to the next, so that none is always measured first or last), then one table.
 *
 * Only one process does work at a time besides the emulator, so that on a 2-core machine
 * the client and the emulator each have a core.
 *
 * @since 0.0.0
 */
import { fork } from "node:child_process"
import * as BrowserBundle from "./BrowserBundle.js"
import * as Emulator from "./Emulator.js"
import * as Machine from "./Machine.js"
import type * as Scenario from "./Scenario.js"
import * as Scenarios from "./Scenarios.js"
import * as Table from "./Table.js"
import * as Tsx from "./Tsx.js"
import type * as Worker from "./worker.js"

/**
 * @since 0.0.0
 * @category models
 */
export interface Options {
  readonly mode: Scenario.Mode
  /** Overrides the number of rounds of every scenario. */
  readonly rounds?: number | undefined
  /** Scenario ids to run (default: all). */
  readonly only?: ReadonlyArray<string> | undefined
  /** Writes a `.cpuprofile` of every measuring process into this directory. */
  readonly cpuProfileDir?: string | undefined
  /** Progress lines (the table goes to the result). */
  readonly log: (line: string) => void
}

/**
 * @since 0.0.0
 * @category models
 */
export interface Report {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Scenario.Row>
  readonly table: string
  readonly notes: ReadonlyArray<string>
  readonly failures: number
}

/** A measuring process must finish within this, or it is killed. */
const jobTimeoutMillis = 15 * 60_000

/**
 * Runs `jobs` in one new measuring process, calling `onOutput` as each job ends. Never
 * rejects: a process that crashes, or outlives {@link jobTimeoutMillis} and is killed,
 * fails each of its jobs that had not answered.
 */
const runWorker = (
  jobs: ReadonlyArray<Scenario.Job>,
  address: Emulator.Address,
  options: Options,
  onOutput: (index: number, output: Worker.Output) => void = () => {}
): Promise<ReadonlyArray<Worker.Output>> =>
  new Promise((resolve) => {
    const input: Worker.Input = { jobs, address }
    const flags = [...new Set(jobs.flatMap((job) => job.nodeFlags ?? []))]
    const child = fork(new URL("./worker.ts", import.meta.url), [JSON.stringify(input)], {
      execArgv: [
        ...Tsx.execArgv(),
        ...flags,
        ...(options.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`])
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const outputs: Array<Worker.Output | undefined> = jobs.map(() => undefined)
    let failedEarly: Worker.Output | undefined
    const timer = setTimeout(() => child.kill("SIGKILL"), jobTimeoutMillis)
    child.on("message", (raw) => {
      const message = raw as Worker.Message
      if (message.index === "all") {
        failedEarly = message.output
      } else {
        outputs[message.index] = message.output
        onOutput(message.index, message.output)
      }
    })
    let settled = false
    const done = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const fallback: Worker.Output = failedEarly ?? { _tag: "Failure", error: why }
      resolve(jobs.map((_, i) => {
        const output = outputs[i]
        if (output !== undefined) return output
        onOutput(i, fallback)
        return fallback
      }))
    }
    child.once("error", (error) => done(error.message))
    child.once("exit", (code, signal) => done(`the measuring process exited with ${signal ?? code} before answering`))
  })

const rotate = <A>(items: ReadonlyArray<A>, by: number): ReadonlyArray<A> =>
  items.length === 0 ? items : [...items.slice(by % items.length), ...items.slice(0, by % items.length)]

const describeJob = (job: Scenario.Job) =>
  `${job.contender}${
    Object.entries(job.params).length === 0
      ? ""
      : ` (${Object.entries(job.params).map(([key, value]) => `${key}=${value}`).join(", ")})`
  }`

/**
 * Runs the scenarios and renders the table.
 *
 * @since 0.0.0
 * @category run
 */
export const run = async (options: Options): Promise<Report> => {
  const header = Machine.describe()
  const rows: Array<Scenario.Row> = []
  const notes: Array<string> = []
  let failures = 0
  const selected = Scenarios.all.filter((s) => options.only === undefined || options.only.includes(s.id))
  const outcomes = new Map<string, Array<Scenario.Outcome<unknown>>>(selected.map((s) => [s.id, []]))
  const failed = new Map<string, Array<{ readonly job: Scenario.Job; readonly error: string }>>(
    selected.map((s) => [s.id, []])
  )
  const record = (job: Scenario.Job, round: number, output: Worker.Output, line: string) => {
    if (output._tag === "Success") {
      outcomes.get(job.scenario)!.push({ job, round, result: output.result })
      options.log(line)
    } else {
      failed.get(job.scenario)!.push({ job, error: output.error })
      options.log(`${line} FAILED: ${output.error}`)
    }
  }

  if (options.mode === "quick") {
    // one emulator and one measuring process for everything: only the wiring is proven
    const jobs = selected.flatMap((scenario) => scenario.plan("quick").jobs)
    const emulator = await Emulator.start()
    try {
      // each line as its job ends: the time is that job's (and, for the first, the start)
      let last = performance.now()
      await runWorker(jobs, emulator, options, (i, output) => {
        const now = performance.now()
        record(jobs[i], 0, output, `quick · ${describeJob(jobs[i])} · ${Table.millis(now - last)}`)
        last = now
      })
    } finally {
      await emulator.stop()
    }
  } else {
    for (const scenario of selected) {
      const plan = scenario.plan("full")
      const rounds = options.rounds ?? plan.rounds
      // a fresh emulator per scenario: no state or heap carried from one to the next
      const emulator = await Emulator.start()
      try {
        for (let round = 0; round < rounds; round++) {
          for (const job of rotate(plan.jobs, round)) {
            const started = performance.now()
            const [output] = await runWorker([job], emulator, options)
            record(
              job,
              round,
              output,
              `${scenario.title} · round ${round + 1}/${rounds} · ${describeJob(job)} · ${
                Table.millis(performance.now() - started)
              }`
            )
          }
        }
      } finally {
        await emulator.stop()
      }
    }
  }

  for (const scenario of selected) {
    rows.push(...scenario.report(outcomes.get(scenario.id)!, options.mode))
    for (const { error, job } of failed.get(scenario.id)!) {
      failures++
      rows.push({
        scenario: scenario.title,
        contender: describeJob(job),
        figures: `failed: ${error.split("\n")[0]}`,
        ratio: "",
        target: "",
        verdict: "missed"
      })
    }
  }
  if (options.only === undefined || options.only.includes(BrowserBundle.id)) {
    const bundle = await BrowserBundle.measure(options.log, { breakdown: options.mode !== "quick" })
    rows.push(...bundle.rows)
    notes.push(...bundle.notes)
  }
  return { header, rows, table: Table.render(rows), notes, failures }
}
