import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/**
 * A retry policy over any backoff: retries while the input is retryable, waits at least
 * what the server asked for (`Retry-After`), at most `times` times, never longer than
 * `maxDelay` at once, and never sleeps past `deadline` (epoch milliseconds from `Clock`).
 *
 * @internal
 */
export const policy = <In, R>(options: {
  readonly backoff: Schedule.Schedule<unknown, In, never, R>
  readonly retryable: (input: In) => boolean
  readonly retryAfterMillis: (input: In, now: number) => number | undefined
  readonly times?: number | undefined
  readonly deadline?: number | undefined
  /** Longer waits are not slept: the retries stop, and the caller gets the last answer. */
  readonly maxDelay?: Duration.Duration | undefined
}): Schedule.Schedule<Duration.Duration, In, never, R> => {
  const counted = options.times === undefined
    ? options.backoff
    : Schedule.upTo(options.backoff, { times: options.times })
  return counted.pipe(
    Schedule.while(({ input }) => options.retryable(input)),
    // the delay is modified before the checks below, which see the delay to be slept
    Schedule.modifyDelay(({ duration, input }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const asked = options.retryAfterMillis(input, now)
        return asked === undefined ? duration : Duration.max(duration, Duration.millis(asked))
      })
    ),
    Schedule.while(({ duration }) =>
      options.maxDelay === undefined || Duration.isLessThanOrEqualTo(duration, options.maxDelay)
    ),
    Schedule.while(({ duration }) =>
      options.deadline === undefined
        ? true
        : Effect.map(Clock.currentTimeMillis, (now) => now + Duration.toMillis(duration) <= options.deadline!)
    ),
    Schedule.map(({ duration }) => duration)
  )
}
