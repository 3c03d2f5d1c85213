/**
 * Order statistics of samples: medians across runs, percentiles of latencies.
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
