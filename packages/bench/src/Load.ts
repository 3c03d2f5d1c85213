/**
 * An open-loop load: requests are started at a fixed rate whatever the previous ones are
 * doing, so that a slow answer cannot hide the delay of the requests that would have
 * followed it (no coordinated omission).
 *
 * @since 0.0.0
 */

/**
 * One request: when it started and ended (`performance.now()` milliseconds) and whether
 * it answered 200.
 *
 * @since 0.0.0
 * @category models
 */
export interface Sample {
  readonly start: number
  readonly end: number
  readonly ok: boolean
}

/**
 * Starts `rate` requests a second for `durationMillis`, then waits for the last answers.
 * Stops on its own: at most `rate * durationMillis / 1000` requests are started.
 *
 * @since 0.0.0
 * @category constructors
 */
export const openLoop = async (options: {
  readonly rate: number
  readonly durationMillis: number
  readonly send: () => Promise<number>
}): Promise<ReadonlyArray<Sample>> => {
  const total = Math.floor((options.rate * options.durationMillis) / 1000)
  const samples: Array<Sample> = []
  const pending: Array<Promise<void>> = []
  const begin = performance.now()
  let started = 0
  const launch = () => {
    const start = performance.now()
    pending.push(
      options.send().then(
        (status) => {
          samples.push({ start, end: performance.now(), ok: status === 200 })
        },
        () => {
          samples.push({ start, end: performance.now(), ok: false })
        }
      )
    )
  }
  // timers fire at best every millisecond: each tick starts every request that is due
  while (started < total) {
    const due = Math.min(total, Math.floor(((performance.now() - begin) * options.rate) / 1000) + 1)
    for (; started < due; started++) launch()
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(pending)
  return samples
}
