/**
 * Entry point of a measuring process: runs its jobs, one after the other, against the
 * emulator whose address it is given, sends the results to the parent over IPC, and
 * exits. The full benchmark gives each job a process of its own (a fresh heap and JIT);
 * `--quick` runs every job in one process, which is enough to show that they work.
 *
 * @since 0.0.0
 */
import * as Emulator from "./Emulator.js"
import type * as Scenario from "./Scenario.js"
import * as Scenarios from "./Scenarios.js"

/**
 * What the parent passes as the one argument (JSON).
 *
 * @since 0.0.0
 * @category models
 */
export interface Input {
  readonly jobs: ReadonlyArray<Scenario.Job>
  readonly address: Emulator.Address
}

/**
 * The outcome of one job.
 *
 * @since 0.0.0
 * @category models
 */
export type Output =
  | { readonly _tag: "Success"; readonly result: unknown }
  | { readonly _tag: "Failure"; readonly error: string }

/**
 * What the worker sends back, as soon as each job ends (so that the parent can print
 * progress): the output of job `index`, or with `index: "all"` a failure before any job
 * could run, which stands for every job that has no output.
 *
 * @since 0.0.0
 * @category models
 */
export interface Message {
  readonly index: number | "all"
  readonly output: Output
}

const send = (message: Message) =>
  new Promise<void>((resolve) => {
    process.send!(message, undefined, {}, () => resolve())
  })

const failure = (error: unknown): Output => ({
  _tag: "Failure",
  error: error instanceof Error ? error.stack ?? error.message : String(error)
})

const main = async (): Promise<void> => {
  const input = JSON.parse(process.argv[2]) as Input
  const emulator = Emulator.controller(input.address.controlUrl)
  const path = `/lucca-api/legal-entities/${await emulator.legalEntityId()}`
  for (const [index, job] of input.jobs.entries()) {
    let output: Output
    try {
      const result = await Scenarios.byId(job.scenario).measure(job, { target: { ...input.address, path }, emulator })
      output = { _tag: "Success", result }
    } catch (error) {
      output = failure(error)
    }
    await send({ index, output })
  }
}

// a measuring process outlives no orchestrator: when the parent goes, so does it
process.once("disconnect", () => process.exit(1))

main().catch((error: unknown) => send({ index: "all", output: failure(error) })).finally(() => {
  // keep-alive sockets and runtimes must not keep the process alive
  process.exit(0)
})
