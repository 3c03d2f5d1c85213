/**
 * Lucca's OAuth scopes: `{resource}.readonly` or `{resource}.readwrite`.
 *
 * New resources appear over time, so a well-shaped scope that is not listed here is
 * accepted; only malformed scopes and near misses of a known scope are refused.
 *
 * @see https://developers.lucca.fr/ (API reference: OAuth scopes)
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as OperationScopes from "./internal/operationScopes.js"

/**
 * Every scope of Lucca's API description (version 2024-11-01): the 53 scopes of its OAuth
 * security scheme, generated from the description.
 *
 * @since 0.1.0
 * @category constants
 */
export const knownScopes: ReadonlyArray<string> = OperationScopes.scopes

const resourceOf = (scope: string) => scope.slice(0, scope.lastIndexOf("."))

/**
 * Resources that have both a `.readonly` and a `.readwrite` scope.
 *
 * @since 0.1.0
 * @category constants
 */
export const readWriteResources: ReadonlyArray<string> = knownScopes
  .filter((scope) => scope.endsWith(".readwrite"))
  .map(resourceOf)

/**
 * Resources that only have a `.readonly` scope.
 *
 * @since 0.1.0
 * @category constants
 */
export const readOnlyResources: ReadonlyArray<string> = knownScopes
  .filter((scope) => scope.endsWith(".readonly") && !knownScopes.includes(`${resourceOf(scope)}.readwrite`))
  .map(resourceOf)

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
 * An operation of Lucca's API description and the scopes that grant it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operation {
  readonly method: "GET" | "POST"
  /** A path template such as `/lucca-api/employees/{id}`. */
  readonly path: string
  /** Any one of these scopes grants the operation. */
  readonly scopes: ReadonlyArray<string>
}

/**
 * Every operation of Lucca's API description (version 2024-11-01) with the scopes its
 * `security` accepts, generated from the description: what `acceptedScopes` searches, for
 * tools that need to pick an endpoint per scope (such as `lucca doctor`).
 *
 * @since 0.1.0
 * @category constants
 */
export const operations: ReadonlyArray<Operation> = OperationScopes.operations

const templates = OperationScopes.operations.map((operation) => ({
  method: operation.method,
  pattern: new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
  scopes: operation.scopes
}))

/**
 * The scopes an operation of Lucca's API description accepts (its `security`: any one of
 * them grants it), found by method and path, such as `GET /lucca-api/employees/416`.
 * `HEAD` is read as `GET`. `undefined` for a path or method the description does not
 * have, such as a resource of a newer API version.
 *
 * @example
 * import { LuccaScope } from "@effect-lucca/core"
 *
 * LuccaScope.acceptedScopes("GET", "/lucca-api/professions/12")
 * // ["job-qualifications.readonly", "job-qualifications.readwrite"]
 *
 * @since 0.1.0
 * @category inference
 */
export const acceptedScopes = (method: string, pathname: string): ReadonlyArray<string> | undefined => {
  const upper = method.toUpperCase()
  const asked = upper === "HEAD" ? "GET" : upper
  return templates.find((template) => template.method === asked && template.pattern.test(pathname))?.scopes
}

/**
 * The scope an endpoint of the `/lucca-api` needs for a method: for an operation of
 * Lucca's API description, the first scope its `security` accepts (see `acceptedScopes`,
 * which gives them all); otherwise a guess, the first path segment after `/lucca-api/`
 * with `.readonly` for safe methods and `.readwrite` otherwise.
 *
 * @since 0.1.0
 * @category inference
 */
export const forEndpoint = (method: string, pathname: string): string | undefined => {
  const accepted = acceptedScopes(method, pathname)
  if (accepted !== undefined && accepted.length > 0) return accepted[0]
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
export const validate = (scope: string): Result.Result<string, string> => {
  if (known.has(scope)) return Result.succeed(scope)
  const suggestion = closest(scope)
  const hint = suggestion === undefined ? "" : ` Did you mean "${suggestion}"?`
  if (!shape.test(scope)) {
    return Result.fail(
      `"${scope}" is not a Lucca scope: scopes look like "{resource}.readonly" or "{resource}.readwrite".${hint}`
    )
  }
  const resource = scope.slice(0, scope.lastIndexOf("."))
  if (scope.endsWith(".readwrite") && readOnlyResources.includes(resource)) {
    return Result.fail(`"${scope}" does not exist: ${resource} only has "${resource}.readonly".`)
  }
  if (suggestion !== undefined) {
    return Result.fail(`"${scope}" is not a known Lucca scope.${hint}`)
  }
  return Result.succeed(scope)
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
