import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

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

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The issues of a schema failure, each with its path (as keys) and the schema's message;
 * a missing key says "is missing".
 *
 * @internal
 */
export const issuesOf = (
  issue: SchemaIssue.Issue
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string; readonly missing: boolean }> =>
  formatter(issue).issues.map((i) => {
    const path = (i.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
    )
    return { path, message: i.message, missing: i.message === "Missing key" }
  })

/**
 * The first issue of a schema failure as a path (`items[3].id`) and the schema's message.
 *
 * @internal
 */
export const describeIssue = (issue: SchemaIssue.Issue): { readonly path: string; readonly message: string } => {
  const first = issuesOf(issue)[0]
  if (first === undefined) return { path: "", message: "does not match the expected shape" }
  return { path: formatPath(first.path), message: first.missing ? "is missing" : first.message }
}

/**
 * The first issue of a `SchemaError` as the errors of this package report it (see
 * `LuccaError.describeParseError`).
 *
 * @internal
 */
export const describeParseError = (error: Schema.SchemaError): { readonly path: string; readonly message: string } =>
  describeIssue(error.issue)

/**
 * The system error code (`ECONNREFUSED`, ...) of a cause, or of the cause's cause.
 *
 * @internal
 */
export const systemErrorCode = (cause: unknown): string | undefined =>
  codeOf(cause) ?? (Predicate.hasProperty(cause, "cause") ? codeOf(cause.cause) : undefined)

const codeOf = (u: unknown): string | undefined =>
  Predicate.hasProperty(u, "code") && typeof u.code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(u.code)
    ? u.code
    : undefined

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
 * A loopback host (for local emulation), a trailing dot ignored.
 *
 * @internal
 */
export const isLoopback = (hostname: string): boolean => {
  const host = hostname.replace(/\.$/, "")
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host)
}

/** Lucca's global token host. @internal */
export const tokenHost = "accounts.world.luccasoftware.com"

/** @internal */
export const defaultTokenUrl = `https://${tokenHost}/connect/token`

/** A URL's host name without its trailing dot. @internal */
export const hostOf = (url: URL): string => url.hostname.replace(/\.$/, "")

/**
 * Whether `u` is an `HttpClient`: how the `dual` steps whose options are optional tell
 * `step(client, options)` from `step(options)`.
 *
 * @internal
 */
export const isHttpClient = (u: unknown): u is HttpClient.HttpClient.With<unknown, unknown> =>
  HttpClient.isHttpClient(u)
