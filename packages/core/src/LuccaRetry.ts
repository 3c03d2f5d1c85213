/**
 * The retries of the client, and what is retried: the classification shared by the token
 * provider and the account client, the default backoff, and the step {@link retry}.
 *
 * - Token endpoint: transient failures (network errors, timeouts, a status of
 *   `LuccaError.transientStatuses`, a 4xx whose body is not an RFC 6749 error) are
 *   retried; OAuth errors such as `invalid_client` fail at once (`LuccaError.isTransient`).
 * - Account API: 429 waits for `Retry-After`, for every method (the request was not
 *   processed); 408, 500, 502, 503, 504 and dropped connections are retried with backoff
 *   for idempotent methods only, unless opted in. A 401 is handled apart (one retry with a
 *   fresh token, by `TokenProvider.authenticate`).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import { dual } from "effect/Function"
import * as Schedule from "effect/Schedule"
import { isHttpClient } from "./internal/http.js"
import * as InternalOptions from "./internal/options.js"
import * as internal from "./internal/retry.js"
import * as LuccaError from "./LuccaError.js"

/**
 * Exponential backoff from 250 ms, doubling, each delay capped at 5 s, with jitter so that
 * many clients do not retry in step.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBackoff: Schedule.Schedule<unknown> = Schedule.exponential("250 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.jittered
)

/**
 * Methods that may be sent twice without changing the outcome (RFC 9110 §9.2.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2
 * @since 0.1.0
 * @category constants
 */
export const idempotentMethods: ReadonlySet<HttpClientRequest.HttpClientRequest["method"]> = new Set([
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "OPTIONS"
])

/**
 * What one attempt at an account API request ends with: an answer, or a transport failure.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOutcome = HttpClientResponse.HttpClientResponse | HttpClientError.HttpClientError

/**
 * Whether an attempt is worth repeating (for a method that may be repeated): an answer
 * with a status of `LuccaError.transientStatuses`, or a failure `LuccaError.isTransient`
 * accepts (a connection that failed or dropped before an answer).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryableOutcome = (outcome: RequestOutcome): boolean =>
  HttpClientError.isHttpClientError(outcome)
    ? LuccaError.isTransient(outcome)
    : LuccaError.transientStatuses.has(outcome.status)

/**
 * Whether an attempt of a request with this method may be repeated: a retryable outcome
 * for an idempotent method (or any method when `nonIdempotent`), and a 429 for every
 * method, since a rate-limited request was not processed (RFC 6585 §4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 * @since 0.1.0
 * @category predicates
 */
export const mayRetry = (
  method: HttpClientRequest.HttpClientRequest["method"],
  outcome: RequestOutcome,
  options?: { readonly nonIdempotent?: boolean | undefined }
): boolean =>
  isRetryableOutcome(outcome) &&
  (options?.nonIdempotent === true || idempotentMethods.has(method) ||
    (!HttpClientError.isHttpClientError(outcome) && outcome.status === 429))

/**
 * The options of {@link retry}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Delays between attempts; defaults to {@link defaultBackoff}. `Retry-After` is honoured on top. */
  readonly backoff?: Schedule.Schedule<unknown, RequestOutcome> | undefined
  /** Defaults to 5. */
  readonly times?: number | undefined
  /**
   * The longest `Retry-After` the client waits for; a longer one (or a skewed HTTP date)
   * ends the retries and the answer is returned, its `retryAfterMillis` on the `ApiError`.
   * Defaults to one minute, Lucca's rate-limit window.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * Also retry POST and PATCH. Off by default: a 503, a 408 or a dropped connection does
   * not prove the server did nothing, and a second POST may create a second leave.
   */
  readonly nonIdempotent?: boolean | undefined
}

/**
 * The retry step of the account client, shaped as `HttpClient.retryTransient`: an attempt
 * that {@link mayRetry} (a 429 for every method; 408, 500, 502, 503, 504 and dropped
 * connections for idempotent ones) is repeated after the `backoff`, or after the server's
 * `Retry-After` when it asks for longer, at most `times` times in all; when the retries
 * end, the last answer is returned as a response (its body already read), or the last
 * failure failed. A 2xx costs one step. A request whose body cannot be sent twice (a
 * stream) is never repeated: its answer is returned as it came. Retries are counted in
 * `LuccaMetrics.apiRetries`.
 *
 * Apply it above `LuccaPacing.pace`, so that every retry takes a turn of the account's
 * budget.
 *
 * @example
 * ```ts
 * import { LuccaRetry } from "@effect-lucca/core"
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const client = Effect.map(HttpClient.HttpClient, LuccaRetry.retry({ times: 3, maxRetryAfter: "30 seconds" }))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After)
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 (429)
 * @since 0.1.0
 * @category combinators
 */
export const retry: {
  (options?: Options): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>
  <E, R>(self: HttpClient.HttpClient.With<E, R>, options?: Options): HttpClient.HttpClient.With<E, R>
} = dual(
  (args) => isHttpClient(args[0]),
  <E, R>(self: HttpClient.HttpClient.With<E, R>, options?: Options): HttpClient.HttpClient.With<E, R> =>
    internal.make(self, {
      backoff: options?.backoff ?? defaultBackoff,
      times: options?.times ?? InternalOptions.defaults.requestRetry.times,
      nonIdempotent: options?.nonIdempotent ?? false,
      maxRetryAfter: options?.maxRetryAfter === undefined
        ? InternalOptions.defaults.requestRetry.maxRetryAfter
        : Duration.decode(options.maxRetryAfter)
    })
)
