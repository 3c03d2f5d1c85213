/**
 * Counters that show how the client spends its token requests and why requests fail.
 * They carry no secret: attributes are outcomes and reasons only.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * Token requests sent to the token endpoint, with the attribute `outcome`: `success`,
 * `oauth_error`, `invalid_response` or `request_error`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenRequests: Metric.Counter<number> = Metric.counter("lucca_token_requests_total", {
  description: "Token requests sent to the token endpoint, by outcome",
  incremental: true
})

/**
 * Token refreshes started by a `TokenProvider`, with the attribute `mode`: `foreground`
 * (callers wait) or `background` (refresh ahead while the current token is still served).
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenRefreshes: Metric.Counter<number> = Metric.counter("lucca_token_refreshes_total", {
  description: "Token refreshes started by a token provider, by mode",
  incremental: true
})

/**
 * Requests retried once with a fresh token after a 401.
 *
 * @since 0.1.0
 * @category metrics
 */
export const unauthorizedRetries: Metric.Counter<number> = Metric.counter("lucca_unauthorized_retries_total", {
  description: "Requests retried with a fresh token after a 401",
  incremental: true
})

/**
 * Requests refused with 403 Forbidden (a missing scope).
 *
 * @since 0.1.0
 * @category metrics
 */
export const forbidden: Metric.Counter<number> = Metric.counter("lucca_forbidden_total", {
  description: "Requests refused with 403 Forbidden",
  incremental: true
})

/**
 * Account API requests retried after a retryable status or a dropped connection, with the
 * attribute `reason` (the status, or `TransportError`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const apiRetries: Metric.Counter<number> = Metric.counter("lucca_api_retries_total", {
  description: "Account API requests retried, by reason",
  incremental: true
})
