import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"

/**
 * A text as JSON, or `None` when it is not JSON. The client's descriptions of a bad body
 * are fixed texts: `JSON.parse`'s message would quote the body.
 *
 * @internal
 */
export const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

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
 * The system error code of a transport failure's cause (or of the cause's cause, where
 * `fetch` and undici put it), such as `ECONNREFUSED`: what the client's errors quote of a
 * cause, never its message, which may quote the request.
 *
 * @internal
 */
export const systemErrorCode = (cause: unknown): string | undefined =>
  codeOf(cause) ?? (Predicate.hasProperty(cause, "cause") ? codeOf(cause.cause) : undefined)

const codeOf = (u: unknown): string | undefined =>
  Predicate.hasProperty(u, "code") && typeof u.code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(u.code)
    ? u.code
    : undefined

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

/**
 * Whether `u` is an `HttpClient`: how the `dual` steps whose options are optional tell
 * `step(client, options)` from `step(options)`.
 *
 * @internal
 */
export const isHttpClient = (u: unknown): u is HttpClient.HttpClient.With<unknown, unknown> =>
  Predicate.hasProperty(u, HttpClient.TypeId)
