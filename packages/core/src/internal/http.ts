import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ParseResult from "effect/ParseResult"

/** @internal */
export const parseJson = (text: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) }
  } catch {
    return undefined
  }
}

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in milliseconds from
 * `now`.
 *
 * @internal
 */
export const retryAfterMillis = (response: HttpClientResponse.HttpClientResponse, now: number): number | undefined => {
  const header = response.headers["retry-after"]
  if (header === undefined) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** @internal */
export const contentType = (response: HttpClientResponse.HttpClientResponse): string =>
  (response.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase()

/**
 * The first issue of a parse error as a path (`items[3].id`) and the schema's message.
 *
 * @internal
 */
export const describeParseError = (
  error: ParseResult.ParseError
): { readonly path: string; readonly message: string } => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return { path: "", message: "does not match the expected shape" }
  return { path: formatPath(issue.path), message: issue._tag === "Missing" ? "is missing" : issue.message }
}

/** @internal */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number"
        ? `${out}[${key}]`
        : out === ""
        ? String(key)
        : `${out}.${String(key)}`,
    ""
  )

/**
 * A URL fit for error messages and spans: no credentials, no query, no fragment.
 *
 * @internal
 */
export const displayUrl = (url: string | URL): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return String(url).split("?")[0]
  }
}

/**
 * Lucca's token endpoint, the one for every account.
 *
 * @internal
 */
export const defaultTokenUrl = "https://accounts.world.luccasoftware.com/connect/token"

/** @internal */
export const tokenHost = "accounts.world.luccasoftware.com"

/**
 * A URL's host as DNS names it: a trailing dot names the same host.
 *
 * @internal
 */
export const hostOf = (url: URL): string => url.hostname.replace(/\.$/, "")

/**
 * A loopback host (for local emulation), a trailing dot ignored.
 *
 * @internal
 */
export const isLoopback = (hostname: string): boolean => {
  const host = hostname.replace(/\.$/, "")
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host)
}
