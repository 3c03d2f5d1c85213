/** @internal */
export interface Window {
  readonly start: number
  readonly count: number
}

/** @internal */
export type Decision =
  | { readonly _tag: "Allowed"; readonly window: Window }
  | { readonly _tag: "Limited"; readonly retryAfterSeconds: number }

/**
 * A fixed window that opens with the first request after the previous one closed:
 * `requests` requests are allowed until `windowMillis` have passed. A refused request
 * does not count. `Retry-After` is in whole seconds (RFC 9110 §10.2.3), at least 1.
 *
 * @internal
 */
export const decide = (
  window: Window | undefined,
  now: number,
  requests: number,
  windowMillis: number
): Decision => {
  if (window === undefined || now >= window.start + windowMillis) {
    return { _tag: "Allowed", window: { start: now, count: 1 } }
  }
  if (window.count < requests) {
    return { _tag: "Allowed", window: { start: window.start, count: window.count + 1 } }
  }
  return {
    _tag: "Limited",
    retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMillis - now) / 1000))
  }
}
