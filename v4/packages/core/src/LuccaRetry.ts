/**
 * What is retried, and how long: the classification of failures and the default backoff
 * shared by the token provider and the account client.
 *
 * - Token endpoint: transient failures (network errors, timeouts, 5xx, 429, a 4xx whose
 *   body is not an RFC 6749 error) are retried; OAuth errors such as `invalid_client` fail
 *   at once.
 * - Account API: 429 waits for `Retry-After`, for every method (the request was not
 *   processed); 408, 502, 503, 504 and dropped connections are retried with backoff for
 *   idempotent methods only, unless opted in. A 401 is handled apart (one retry with a
 *   fresh token).
 *
 * @since 0.1.0
 */
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import type * as LuccaError from "./LuccaError.js"

/**
 * Exponential backoff from 250 ms, doubling, each delay capped at 5 s, with jitter so that
 * many clients do not retry in step.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBackoff: Schedule.Schedule<unknown> = Schedule.jittered(
  Schedule.min([Schedule.exponential("250 millis"), Schedule.spaced("5 seconds")])
)

/**
 * Whether trying to get a token again may succeed.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientTokenError = (error: LuccaError.TokenError): boolean => {
  switch (error._tag) {
    case "TokenRequestError":
      return error.transient
    case "OAuthError":
      return error.transient
    case "InvalidTokenResponse":
      return false
  }
}

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
 * Statuses of the account API worth retrying: 408 (Lucca gives up after 5 s), 429 (rate
 * limit), 503, and the 502 and 504 of a gateway in between.
 *
 * @since 0.1.0
 * @category constants
 */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 502, 503, 504])

/**
 * @since 0.1.0
 * @category predicates
 */
export const isRetryableStatus = (response: HttpClientResponse.HttpClientResponse): boolean =>
  retryableStatuses.has(response.status)

/**
 * What one attempt at an account API request ends with: an answer, or a transport failure.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOutcome = HttpClientResponse.HttpClientResponse | HttpClientError.HttpClientError

/**
 * Whether an attempt is worth repeating (for a method that may be repeated): a retryable
 * status, or a connection that failed or dropped before an answer.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryableOutcome = (outcome: RequestOutcome): boolean =>
  HttpClientError.isHttpClientError(outcome)
    ? outcome.reason._tag === "TransportError"
    : isRetryableStatus(outcome)

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
