import * as Result from "effect/Result"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import * as Dates from "./dates.js"
import type * as Operations from "./operations.js"
import * as Resources from "./resources.js"

/** A resource predicate built from one query filter. @internal */
export type Predicate = (resource: FakeLuccaData.Resource) => boolean

type Lookup = (type: string, id: string) => FakeLuccaData.Resource | undefined

/**
 * Where a filter reads its value when its name is not the resource's own dotted path:
 * Lucca names the applicable employment's dates `startsOn`/`endsOn` in the employees
 * filters, while an employment holds `start.date`/`end.date`.
 */
const aliases: Readonly<Record<string, string>> = {
  "applicableEmployment.startsOn": "applicableEmployment.start.date",
  "applicableEmployment.endsOn": "applicableEmployment.end.date"
}

/** The fields `search` matches, by resource type: words must start a name. */
const searchFields: Readonly<Record<string, ReadonlyArray<string>>> = {
  employee: ["givenName", "familyName"],
  "business-establishment": ["name"],
  department: ["name"],
  "occupation-category": ["title"]
}

const normalize = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()

const searchPredicate = (type: string, query: string): Predicate => {
  const words = normalize(query).split(/[ \-_,.]+/).filter((w) => w.length > 0)
  return (resource) => {
    const names = (searchFields[type] ?? []).flatMap((field) =>
      typeof resource[field] === "string" ? normalize(resource[field] as string).split(/[ \-_,.]+/) : []
    )
    return words.every((word) => names.some((name) => name.startsWith(word)))
  }
}

const dateRange = (raw: string): Result.Result<readonly [number, number], string> => {
  const match = /^(\d{4}-\d{2}-\d{2}|\.\.)--(\d{4}-\d{2}-\d{2}|\.\.)$/.exec(raw)
  if (match === null) return Result.fail(`must be a date range such as 2024-01-01--2024-12-31, got '${raw}'`)
  const from = match[1] === ".." ? -Infinity : Dates.isoDateToDay(match[1])
  const to = match[2] === ".." ? Infinity : Dates.isoDateToDay(match[2])
  if (from === undefined || to === undefined) return Result.fail(`has an invalid date: '${raw}'`)
  if (from > to) return Result.fail(`must start on or before its end: '${raw}'`)
  return Result.succeed([from, to])
}

/** One value of a filter, checked against the kind the description gives it. */
const checkValue = (filter: Operations.Filter, value: string): string | undefined => {
  switch (filter.kind) {
    case "integer":
      return /^\d+$/.test(value) ? undefined : `must be an integer, got '${value}'`
    case "boolean":
      return value === "true" || value === "false" ? undefined : `must be true or false, got '${value}'`
    case "date":
      return Dates.isoDateToDay(value) !== undefined ? undefined : `must be a date YYYY-MM-DD, got '${value}'`
    case "date-or-null":
      return value === "null" || Dates.isoDateToDay(value) !== undefined
        ? undefined
        : `must be a date YYYY-MM-DD or null, got '${value}'`
    case "date-range":
      return Result.match(dateRange(value), { onFailure: (e) => e, onSuccess: () => undefined })
    case "country-code":
      return /^[A-Z]{3}$/.test(value) ? undefined : `must be an ISO 3166-1 alpha-3 code, got '${value}'`
    case "enum":
      return filter.values!.includes(value) ? undefined : `must be one of ${filter.values!.join(", ")}, got '${value}'`
    case "email-or-null":
    case "string":
      return value.length > 0 ? undefined : "must not be empty"
  }
}

const asKey = (value: unknown): string => value === null || value === undefined ? "null" : String(value)

/** Filters applied by the list handler itself, not by a resource predicate. @internal */
export const special: ReadonlySet<string> = new Set(["sort", "include"])

/**
 * Parses the filters an operation declares from the query string: a list filter is
 * comma-separated (`style: form, explode: false`) and may be repeated. Values are checked
 * against the description's schema; each wrong one is a 400 `errors` entry.
 *
 * @internal
 */
export const predicates = (
  operation: Operations.Operation,
  params: URLSearchParams,
  lookup: Lookup,
  extra: (filter: Operations.Filter, values: ReadonlyArray<string>) => Predicate | undefined
): Result.Result<ReadonlyArray<Predicate>, Record<string, Array<string>>> => {
  const errors: Record<string, Array<string>> = {}
  const out: Array<Predicate> = []
  for (const filter of operation.filters) {
    if (special.has(filter.name)) continue
    const raw = params.getAll(filter.name)
    if (raw.length === 0) {
      if (filter.required === true) (errors[filter.name] ??= []).push(`${filter.name} is required.`)
      continue
    }
    if (!filter.list && raw.length > 1) {
      ;(errors[filter.name] ??= []).push(`${filter.name} must be given once.`)
      continue
    }
    const values = filter.list ? raw.flatMap((v) => v.split(",")).map((v) => v.trim()) : raw.map((v) => v.trim())
    if (filter.list && values.length > 100) (errors[filter.name] ??= []).push("must hold at most 100 values")
    for (const value of values) {
      const problem = checkValue(filter, value)
      if (problem !== undefined) (errors[filter.name] ??= []).push(problem)
    }
    if (errors[filter.name] !== undefined) continue

    const custom = extra(filter, values)
    if (custom !== undefined) {
      out.push(custom)
      continue
    }
    if (filter.name === "search") {
      out.push(searchPredicate(operation.itemType, values[0]))
      continue
    }
    const between = filter.kind === "date-range"
    const path = (aliases[filter.name] ?? filter.name).replace(/\.between$/, "").split(".")
    if (between) {
      const [from, to] = Result.getOrThrow(dateRange(values[0]))
      out.push((resource) =>
        Resources.valuesAt(resource, path, lookup).some((v) => {
          const day = typeof v === "string" ? Dates.isoDateToDay(v) : undefined
          return day !== undefined && from <= day && day <= to
        })
      )
      continue
    }
    const wanted = new Set(values)
    out.push((resource) => {
      const found = Resources.valuesAt(resource, path, lookup)
      return found.length === 0 ? wanted.has("null") : found.some((v) => wanted.has(asKey(v)))
    })
  }
  return Object.keys(errors).length > 0 ? Result.fail(errors) : Result.succeed(out)
}

/**
 * `sort=familyName,-createdAt`: the fields the description allows, `-` for descending;
 * by `id` (numerically when ids are numbers) by default and to break ties.
 *
 * @internal
 */
export const sorter = (
  operation: Operations.Operation,
  params: URLSearchParams,
  lookup: Lookup
): Result.Result<(a: FakeLuccaData.Resource, b: FakeLuccaData.Resource) => number, string> => {
  const filter = operation.filters.find((f) => f.name === "sort")
  const keys = filter === undefined ? [] : params.getAll("sort").flatMap((v) => v.split(",")).map((v) => v.trim())
  for (const key of keys) {
    if (!filter!.values!.includes(key)) return Result.fail(`must be one of ${filter!.values!.join(", ")}, got '${key}'`)
  }
  const compare = (x: unknown, y: unknown) => {
    if (x === y) return 0
    if (x === null || x === undefined) return 1
    if (y === null || y === undefined) return -1
    const nx = Number(x)
    const ny = Number(y)
    return Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : String(x).localeCompare(String(y))
  }
  const fields = [...keys, "id"].map((key) => ({
    descending: key.startsWith("-"),
    path: key.replace(/^-/, "").split(".")
  }))
  return Result.succeed((a, b) => {
    for (const { descending, path } of fields) {
      const order = compare(Resources.valuesAt(a, path, lookup)[0], Resources.valuesAt(b, path, lookup)[0])
      if (order !== 0) return descending ? -order : order
    }
    return 0
  })
}
