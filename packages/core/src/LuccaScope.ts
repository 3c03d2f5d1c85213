/**
 * Lucca's OAuth scopes: `{resource}.readonly` or `{resource}.readwrite`.
 *
 * New resources appear over time, so a well-shaped scope that is not listed here is
 * accepted; only malformed scopes and near misses of a known scope are refused.
 *
 * @see https://developers.lucca.fr/ (API reference: OAuth scopes)
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * Resources that have both a `.readonly` and a `.readwrite` scope.
 *
 * @since 0.1.0
 * @category constants
 */
export const readWriteResources: ReadonlyArray<string> = [
  "legal-entities",
  "business-establishments",
  "departments",
  "employees",
  "employee-personal-records",
  "employee-extension-definitions",
  "employee-extensions",
  "employee-attributes",
  "employments",
  "employment-templates",
  "employment-extension-definitions",
  "employment-extensions",
  "job-positions",
  "job-position-extension-definitions",
  "job-position-extensions",
  "probationary-periods",
  "occupation-categories",
  "job-qualifications",
  "taxonomies",
  "skills",
  "skill-assessments",
  "leaves",
  "leave-requests",
  "webhook-endpoints",
  "webhook-deliveries",
  "files"
]

/**
 * Resources that only have a `.readonly` scope.
 *
 * @since 0.1.0
 * @category constants
 */
export const readOnlyResources: ReadonlyArray<string> = [
  "events",
  "working-time-arrangements",
  "public-holidays-calendars"
]

/**
 * Every scope documented by Lucca's API description (version 2024-11-01).
 *
 * @since 0.1.0
 * @category constants
 */
export const knownScopes: ReadonlyArray<string> = [
  ...readWriteResources.flatMap((resource) => [`${resource}.readonly`, `${resource}.readwrite`]),
  ...readOnlyResources.map((resource) => `${resource}.readonly`)
]

const known = new Set(knownScopes)
const shape = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.(?:readonly|readwrite)$/

/**
 * Splits a list of scopes written by a person: separated by spaces or commas (the token
 * request itself always joins them with single spaces, RFC 6749 §3.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @since 0.1.0
 * @category parsing
 */
export const split = (input: string): ReadonlyArray<string> => input.split(/[\s,]+/).filter((s) => s.length > 0)

/**
 * The scope an endpoint of the `/lucca-api` probably needs for a method: the first path
 * segment after `/lucca-api/`, `.readonly` for safe methods and `.readwrite` otherwise.
 *
 * @since 0.1.0
 * @category inference
 */
export const forEndpoint = (method: string, pathname: string): string | undefined => {
  const match = /^\/lucca-api\/([a-z][a-z0-9-]*)/.exec(pathname)
  if (match === null) return undefined
  const safe = method === "GET" || method === "HEAD" || method === "OPTIONS"
  return `${match[1]}.${safe ? "readonly" : "readwrite"}`
}

/**
 * Checks one scope: its shape, a `.readwrite` of a read-only resource, and near misses of
 * a known scope (which get a "did you mean").
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (scope: string): Either.Either<string, string> => {
  if (known.has(scope)) return Either.right(scope)
  const suggestion = closest(scope)
  const hint = suggestion === undefined ? "" : ` Did you mean "${suggestion}"?`
  if (!shape.test(scope)) {
    return Either.left(
      `"${scope}" is not a Lucca scope: scopes look like "{resource}.readonly" or "{resource}.readwrite".${hint}`
    )
  }
  const resource = scope.slice(0, scope.lastIndexOf("."))
  if (scope.endsWith(".readwrite") && readOnlyResources.includes(resource)) {
    return Either.left(`"${scope}" does not exist: ${resource} only has "${resource}.readonly".`)
  }
  if (suggestion !== undefined) {
    return Either.left(`"${scope}" is not a known Lucca scope.${hint}`)
  }
  return Either.right(scope)
}

const closest = (scope: string): string | undefined => {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(scope.length / 6)) + 1
  for (const candidate of knownScopes) {
    const distance = levenshtein(scope, candidate, bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) {
    // "employees" or "employees.read": a known resource with a missing or wrong access suffix
    const resource = scope.split(".")[0]
    if (known.has(`${resource}.readonly`)) best = `${resource}.readonly`
  }
  return best
}

const levenshtein = (a: string, b: string, cap: number): number => {
  if (Math.abs(a.length - b.length) >= cap) return cap
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1)
      )
      current.push(value)
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin >= cap) return cap
    previous = current
  }
  return previous[b.length]
}
