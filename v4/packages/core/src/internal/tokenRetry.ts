import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as LuccaError from "../LuccaError.js"
import * as Retry from "./retry.js"

/**
 * Why a token request failed, in a few words: the error's tag and what it says, without
 * the token URL (an annotation) and through `redact` (the description may quote a server
 * that echoed the request).
 *
 * @internal
 */
export const reason = (error: LuccaError.TokenError, redact: (text: string) => string): string => {
  switch (error._tag) {
    case "TokenRequestError":
      return redact(`${error.reason}${error.status === undefined ? "" : ` ${error.status}`}: ${error.description}`)
    case "OAuthError":
      return redact(`HTTP ${error.status} ${error.error}`)
    case "InvalidTokenResponse":
      return redact(`invalid response (HTTP ${error.status}): ${error.field} ${error.description}`)
  }
}

/**
 * The retry schedule of token requests, with one log line per retry: why the last request
 * failed and when the next one is sent. Retries may last the whole budget (30 s by
 * default): without these lines a program waits in silence. Info, not warning: a failed
 * refresh ahead already warns once, and the retries are the library doing its job.
 *
 * @internal
 */
export const logged = (redact: (text: string) => string) =>
<R>(
  schedule: Schedule.Schedule<Duration.Duration, LuccaError.TokenError, never, R>
): Schedule.Schedule<Duration.Duration, LuccaError.TokenError, never, R> =>
  // an outer `while` runs only when the schedule continues: one line per retry sent
  Schedule.while(schedule, ({ attempt, duration, input: error }) => {
    // whole milliseconds: a jittered delay is not worth its nanoseconds in a log line
    const millis = Math.round(Duration.toMillis(duration))
    return Effect.logInfo(
      `Lucca token request failed (${reason(error, redact)}); retry ${attempt} in ${
        Duration.format(Duration.millis(millis))
      }`
    ).pipe(
      Effect.annotateLogs({
        "lucca.token_url": error.tokenUrl,
        "lucca.token_retry": attempt,
        "lucca.token_retry_delay_ms": millis,
        "lucca.token_error": error._tag
      }),
      Effect.as(true)
    )
  })

/**
 * `Retry.policy` for token requests, {@link logged}.
 *
 * @internal
 */
export const policy = (
  redact: (text: string) => string,
  options: Parameters<typeof Retry.policy<LuccaError.TokenError, never>>[0]
): Schedule.Schedule<Duration.Duration, LuccaError.TokenError> => logged(redact)(Retry.policy(options))
