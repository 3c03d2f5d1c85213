import * as Base64Url from "effect/encoding/Base64Url"
import * as Hash from "effect/Hash"
import * as Result from "effect/Result"

/** @internal */
export const defaultLimit = 25

/** @internal */
export const maxLimit = 100

/** @internal */
export interface Include {
  readonly totalCount: boolean
  readonly links: boolean
  readonly embedded: boolean
}

const includes: ReadonlyArray<string> = ["embedded", "links", "totalCount"]

/**
 * `include=totalCount,links,embedded`, comma-separated and/or repeated. The description
 * enumerates the three values; anything else is refused.
 *
 * @internal
 */
export const parseInclude = (values: ReadonlyArray<string>): Result.Result<Include, string> => {
  const parts = new Set(values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== ""))
  const unknown = [...parts].filter((p) => !includes.includes(p))
  if (unknown.length > 0) return Result.fail(`include takes ${includes.join(", ")}; got '${unknown.join(", ")}'.`)
  return Result.succeed({
    totalCount: parts.has("totalCount"),
    links: parts.has("links"),
    embedded: parts.has("embedded")
  })
}

/** @internal */
export const parseLimit = (values: ReadonlyArray<string>): Result.Result<number, string> => {
  if (values.length === 0) return Result.succeed(defaultLimit)
  if (values.length > 1) return Result.fail("limit must be given once.")
  const raw = values[0].trim()
  if (!/^\d+$/.test(raw)) return Result.fail(`limit must be an integer between 0 and ${maxLimit}.`)
  const limit = Number(raw)
  if (limit > maxLimit) return Result.fail(`limit must be between 0 and ${maxLimit}, got ${limit}.`)
  return Result.succeed(limit)
}

const check = (key: string, resource: string, offset: number) =>
  (Hash.string(`${key}|${resource}|${offset}`) >>> 0).toString(36)

/**
 * An opaque cursor: base64url of the offset and a check of it, bound to the resource
 * and to a per-emulator key so that a cursor edited by hand (or taken from another
 * list) is refused rather than silently misread.
 *
 * @internal
 */
export const encodeCursor = (key: string, resource: string, offset: number): string =>
  Base64Url.encode(`${offset}.${check(key, resource, offset)}`)

/** @internal */
export const decodeCursor = (key: string, resource: string, cursor: string): Result.Result<number, string> => {
  const invalid = Result.fail("The page cursor is invalid; use the links returned by the previous page.")
  const decoded = Base64Url.decodeString(cursor)
  if (Result.isFailure(decoded)) return invalid
  const match = /^(\d{1,9})\.([0-9a-z]+)$/.exec(decoded.success)
  if (match === null) return invalid
  const offset = Number(match[1])
  return check(key, resource, offset) === match[2] ? Result.succeed(offset) : invalid
}

/** The same URL with `page` set to `cursor`, or removed for the first page. @internal */
export const withPage = (url: URL, cursor: string | undefined): string => {
  const next = new URL(url.href)
  if (cursor === undefined) {
    next.searchParams.delete("page")
  } else {
    next.searchParams.set("page", cursor)
  }
  return next.href
}
