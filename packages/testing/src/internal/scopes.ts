/**
 * The resources the emulator serves. Each has a `.readonly` and a `.readwrite` scope;
 * reads accept either, writes need `.readwrite`.
 *
 * @internal
 */
export const resources = [
  "legal-entities",
  "business-establishments",
  "departments",
  "employees",
  "leaves",
  "leave-requests"
] as const

/** @internal */
export type Resource = typeof resources[number]

/** @internal */
export const isResource = (u: string): u is Resource => (resources as ReadonlyArray<string>).includes(u)

/** @internal */
export const allScopes: ReadonlyArray<string> = resources.flatMap((r) => [`${r}.readonly`, `${r}.readwrite`])

/** @internal */
export type Access = "read" | "write"

/** @internal */
export const allows = (granted: ReadonlySet<string>, resource: Resource, access: Access): boolean =>
  granted.has(`${resource}.readwrite`) || (access === "read" && granted.has(`${resource}.readonly`))

/** RFC 6749 §3.3: a space-delimited list; empty items from repeated spaces are ignored. @internal */
export const parse = (scope: string): ReadonlyArray<string> => scope.split(" ").filter((s) => s.length > 0)
