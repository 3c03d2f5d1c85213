/**
 * Order statistics of samples (a copy of ../../../packages/bench/src/Stats.ts: the two
 * workspaces share no source; neither file depends on Effect).
 *
 * @since 0.0.0
 */

/**
 * The `p`-th percentile (0–100) by the nearest-rank method, so that the figure is a value
 * that was actually observed; `NaN` when there are no samples.
 *
 * @since 0.0.0
 * @category statistics
 */
export const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = Float64Array.from(samples).sort()
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/**
 * The median; with an even count, the mean of the two middle values.
 *
 * @since 0.0.0
 * @category statistics
 */
export const median = (samples: ReadonlyArray<number>): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = Float64Array.from(samples).sort()
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * The smallest and largest samples, to show how far runs disagree.
 *
 * @since 0.0.0
 * @category statistics
 */
export const range = (samples: ReadonlyArray<number>): readonly [number, number] =>
  samples.length === 0
    ? [Number.NaN, Number.NaN]
    : [Math.min(...samples), Math.max(...samples)]

/**
 * A 32-bit generator seeded by the caller (mulberry32), so that a resampled interval is
 * the same each time the same samples are reported.
 */
const seeded = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A confidence interval of the median by the percentile bootstrap: the median of
 * `resamples` resamples (with replacement, from a fixed seed) of `samples`, and the
 * `(1 - confidence) / 2` and `(1 + confidence) / 2` quantiles of those medians. It says how
 * far the median of this many noisy pairs may be from the one more pairs would give;
 * `[NaN, NaN]` with fewer than 2 samples.
 *
 * @since 0.0.0
 * @category statistics
 */
export const medianInterval = (
  samples: ReadonlyArray<number>,
  options?: { readonly confidence?: number | undefined; readonly resamples?: number | undefined }
): readonly [low: number, high: number] => {
  if (samples.length < 2) return [Number.NaN, Number.NaN]
  const confidence = options?.confidence ?? 0.95
  const resamples = options?.resamples ?? 2_000
  const random = seeded(0x5eed)
  const resample = new Float64Array(samples.length)
  const medians: Array<number> = []
  for (let i = 0; i < resamples; i++) {
    for (let j = 0; j < samples.length; j++) resample[j] = samples[Math.floor(random() * samples.length)]
    medians.push(median(Array.from(resample)))
  }
  return [percentile(medians, ((1 - confidence) / 2) * 100), percentile(medians, ((1 + confidence) / 2) * 100)]
}
