/**
 * What a scenario is: the measurements to run (each in a fresh process), the measurement
 * itself, and how its results become rows of the table.
 *
 * @since 0.0.0
 */
import type * as Contender from "./contenders/Contender.js"
import type * as Emulator from "./Emulator.js"

/**
 * `full` is the real benchmark; `quick` runs every measurement once, small, only to show
 * that the harness still works.
 *
 * @since 0.0.0
 * @category models
 */
export type Mode = "full" | "quick"

/**
 * One measurement, run in a process of its own.
 *
 * @since 0.0.0
 * @category models
 */
export interface Job {
  readonly scenario: string
  readonly contender: string
  readonly params: Readonly<Record<string, number>>
  /** Extra Node flags of the measuring process, such as `--expose-gc`. */
  readonly nodeFlags?: ReadonlyArray<string> | undefined
}

/**
 * What a measuring process gets besides its job.
 *
 * @since 0.0.0
 * @category models
 */
export interface Context {
  readonly target: Contender.Target
  readonly emulator: Emulator.Controller
}

/**
 * @since 0.0.0
 * @category models
 */
export type Verdict = "met" | "missed" | "reference" | "not available"

/**
 * One line of the table.
 *
 * @since 0.0.0
 * @category models
 */
export interface Row {
  readonly scenario: string
  readonly contender: string
  /** Absolute figures. */
  readonly figures: string
  /** Ratios to the other contenders of the same run. */
  readonly ratio: string
  readonly target: string
  readonly verdict: Verdict
}

/**
 * A measurement's result, with the round it belongs to.
 *
 * @since 0.0.0
 * @category models
 */
export interface Outcome<R> {
  readonly job: Job
  readonly round: number
  readonly result: R
}

/**
 * @since 0.0.0
 * @category models
 */
export interface Scenario<R> {
  readonly id: string
  readonly title: string
  /** How many rounds, and the jobs of one round (they are run in a rotating order). */
  readonly plan: (mode: Mode) => { readonly rounds: number; readonly jobs: ReadonlyArray<Job> }
  /** Runs in the measuring process. */
  readonly measure: (job: Job, context: Context) => Promise<R>
  readonly report: (outcomes: ReadonlyArray<Outcome<R>>, mode: Mode) => ReadonlyArray<Row>
}

/**
 * Keeps the type of a scenario's results between its parts.
 *
 * @since 0.0.0
 * @category constructors
 */
export const make = <R>(scenario: Scenario<R>): Scenario<R> => scenario

/**
 * The outcomes of one contender (and, optionally, one value of a parameter).
 *
 * @since 0.0.0
 * @category combinators
 */
export const select = <R>(
  outcomes: ReadonlyArray<Outcome<R>>,
  contender: string,
  params?: Readonly<Record<string, number>>
): ReadonlyArray<Outcome<R>> =>
  outcomes.filter((o) =>
    o.job.contender === contender &&
    (params === undefined || Object.entries(params).every(([key, value]) => o.job.params[key] === value))
  )

/**
 * Per-round ratios `numerator / denominator` of two contenders' figures: both were
 * measured in the same round, one after the other, so slow drifts of the machine cancel.
 *
 * @since 0.0.0
 * @category combinators
 */
export const roundRatios = <R>(
  numerator: ReadonlyArray<Outcome<R>>,
  denominator: ReadonlyArray<Outcome<R>>,
  figure: (result: R) => number
): ReadonlyArray<number> =>
  numerator.flatMap((n) => {
    const d = denominator.find((o) => o.round === n.round)
    return d === undefined ? [] : [figure(n.result) / figure(d.result)]
  })
