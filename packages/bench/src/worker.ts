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
 * What the worker sends back: one output per job, in order.
 *
 * @since 0.0.0
 * @category models
 */
export type Output =
  | { readonly _tag: "Success"; readonly result: unknown }
  | { readonly _tag: "Failure"; readonly error: string }

const send = (outputs: ReadonlyArray<Output>) =>
  new Promise<void>((resolve) => {
    process.send!(outputs, undefined, {}, () => resolve())
  })

const main = async (): Promise<ReadonlyArray<Output>> => {
  const input = JSON.parse(process.argv[2]) as Input
  const emulator = Emulator.controller(input.address.controlUrl)
  const path = `/lucca-api/legal-entities/${await emulator.legalEntityId()}`
  const outputs: Array<Output> = []
  for (const job of input.jobs) {
    try {
      const result = await Scenarios.byId(job.scenario).measure(job, { target: { ...input.address, path }, emulator })
      outputs.push({ _tag: "Success", result })
    } catch (error) {
      outputs.push({ _tag: "Failure", error: error instanceof Error ? error.stack ?? error.message : String(error) })
    }
  }
  return outputs
}

// a measuring process outlives no orchestrator: when the parent goes, so does it
process.once("disconnect", () => process.exit(1))

main().then(
  send,
  (error: unknown) =>
    send([{ _tag: "Failure", error: error instanceof Error ? error.stack ?? error.message : String(error) }])
).finally(() => {
  // keep-alive sockets and runtimes must not keep the process alive
  process.exit(0)
})
