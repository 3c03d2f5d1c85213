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
  readonly backoff: Schedule.Schedule<unknown, In, R>
  readonly retryable: (input: In) => boolean
  readonly retryAfterMillis: (input: In, now: number) => number | undefined
  readonly times?: number | undefined
  readonly deadline?: number | undefined
  /** Longer waits are not slept: the retries stop, and the caller gets the last answer. */
  readonly maxDelay?: Duration.Duration | undefined
}): Schedule.Schedule<Duration.Duration, In, R> => {
  const counted = options.times === undefined
    ? options.backoff
    : Schedule.intersect(options.backoff, Schedule.recurs(options.times))
  return Schedule.intersect(Schedule.identity<In>(), counted).pipe(
    Schedule.whileInput(options.retryable),
    Schedule.modifyDelayEffect(([input], delay) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const asked = options.retryAfterMillis(input, now)
        return asked === undefined ? delay : Duration.max(delay, Duration.millis(asked))
      })
    ),
    Schedule.delays,
    Schedule.check((_, delay) => options.maxDelay === undefined || Duration.lessThanOrEqualTo(delay, options.maxDelay)),
    Schedule.checkEffect((_, delay) =>
      options.deadline === undefined
        ? Effect.succeed(true)
        : Effect.map(Clock.currentTimeMillis, (now) => now + Duration.toMillis(delay) <= options.deadline!)
    )
  )
}
