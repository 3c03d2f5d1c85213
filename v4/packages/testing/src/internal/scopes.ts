import * as Operations from "./operations.js"

/**
 * The scopes of Lucca's API version `2024-11-01`: each resource scope exists as
 * `.readonly` and `.readwrite`, a few are read-only only.
 *
 * @internal
 */
export const allScopes: ReadonlyArray<string> = Operations.scopes

/** The collections the emulator serves, by path segment. @internal */
export const resources: ReadonlyArray<string> = [...new Set(Operations.operations.map((o) => o.collection))]

/** Whether the granted scopes include one the operation accepts (its `security`). @internal */
export const allows = (granted: ReadonlySet<string>, operation: Operations.Operation): boolean =>
  operation.scopes.some((scope) => granted.has(scope))

/** RFC 6749 §3.3: a space-delimited list; empty items from repeated spaces are ignored. @internal */
export const parse = (scope: string): ReadonlyArray<string> => scope.split(" ").filter((s) => s.length > 0)
