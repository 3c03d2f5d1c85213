import * as Hash from "effect/Hash"

/**
 * A strong entity tag of a serialized body. A 32-bit hash is plenty for a fake: it only
 * has to change when the body changes.
 *
 * @internal
 */
export const of = (body: string): string =>
  `"${(Hash.string(body) >>> 0).toString(16).padStart(8, "0")}-${body.length.toString(16)}"`

/**
 * RFC 9110 §13.1.2: `If-None-Match` uses the weak comparison, and `*` matches any
 * current representation.
 *
 * @internal
 */
export const matches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  const strip = (tag: string) => tag.trim().replace(/^W\//, "")
  return ifNoneMatch.split(",").some((candidate) => candidate.trim() === "*" || strip(candidate) === strip(etag))
}
