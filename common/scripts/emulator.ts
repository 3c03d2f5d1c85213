/**
 * The emulator's table of Lucca's operations (paths, scopes, query filters, embeddable
 * resources, media types), rendered from Lucca's OpenAPI description as plain data: the
 * same table for both lines (`packages/testing` and `v4/packages/testing`), which
 * `generate.ts` writes under each line's header. The emulator never reads the description
 * at run time.
 */
import * as Description from "./description.js"

type Json = any

const resolve = (document: Json, node: Json): Json => {
  while (node !== null && typeof node === "object" && typeof node.$ref === "string") {
    node = node.$ref.split("/").slice(1).reduce((at: Json, key: string) => at[key], document)
  }
  return node
}

/** The scalar kind of a filter's value, as the emulator parses it. */
const kindOf = (document: Json, schema: Json): { kind: string; values?: ReadonlyArray<string> } => {
  schema = resolve(document, schema)
  if (schema.format === "date-range") return { kind: "date-range" }
  if (Array.isArray(schema.oneOf)) {
    const date = schema.oneOf.some((s: Json) => s.format === "date")
    const email = schema.oneOf.some((s: Json) => s.format === "email")
    return { kind: date ? "date-or-null" : email ? "email-or-null" : "string" }
  }
  if (schema.format === "iso-3166-alpha-3") return { kind: "country-code" }
  if (Array.isArray(schema.enum)) return { kind: "enum", values: schema.enum }
  if (schema.type === "integer") return { kind: "integer" }
  if (schema.type === "boolean") return { kind: "boolean" }
  if (schema.format === "date") return { kind: "date" }
  return { kind: "string" }
}

const itemTypeOf = (document: Json, schema: Json): string => {
  const parts: Array<Json> = schema.allOf ?? [schema]
  for (const part of parts) {
    const resolved = resolve(document, part)
    const constant = resolved.properties?.type?.const
    if (typeof constant === "string") {
      const items = resolve(document, resolved.properties?.items?.items ?? {})
      return typeof items.properties?.type?.const === "string" ? items.properties.type.const : constant
    }
    if (resolved.allOf) {
      const nested = itemTypeOf(document, resolved)
      if (nested !== "") return nested
    }
  }
  return ""
}

/** The table as data: one entry per operation, in the description's order. */
export const operationsOf = (document: Json) => {
  const operations: Array<Json> = []
  for (const [path, item] of Object.entries<Json>(document.paths)) {
    for (const method of ["get", "post"] as const) {
      const operation = item[method]
      if (operation === undefined) continue
      const success = resolve(document, operation.responses["200"] ?? operation.responses["201"])
      const media = Object.keys(success.content ?? {})
      const jsonSchema = success.content?.["application/json"]?.schema ?? {}
      const itemType = itemTypeOf(document, jsonSchema)
      const embedded = resolve(document, { $ref: `#/components/schemas/${itemType}.embedded` })
      const filters = (operation.parameters ?? []).map((p: Json) => resolve(document, p))
        .filter((p: Json) => p.in === "query" && p.name !== "page" && p.name !== "limit")
        .map((p: Json) => {
          const schema = resolve(document, p.schema)
          const list = schema.type === "array"
          return {
            name: p.name,
            list,
            ...kindOf(document, list ? schema.items : schema),
            ...(p.required === true ? { required: true } : {})
          }
        })
      const scopes = (operation.security ?? []).flatMap((s: Json) => Object.values<Array<string>>(s).flat())
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        kind: method === "post" ? "create" : path.endsWith("/{id}") ? "item" : "list",
        collection: path.split("/")[2],
        itemType,
        scopes,
        filters,
        embeds: Object.keys(embedded?.properties?.embedded?.properties ?? {}),
        media
      })
    }
  }
  return operations
}

const literal = (value: unknown): string => JSON.stringify(value)

/** The generated module's text, under `header` (which says where it comes from). */
export const render = (document: Json, header: string): string => {
  const operations = operationsOf(document)
  const lines = operations.map((o) => {
    const filters = o.filters.map((f: Json) =>
      `{ ${
        Object.entries(f).map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map(literal).join(", ")}]` : literal(v)}`)
          .join(", ")
      } }`
    )
    return [
      "  {",
      `    operationId: ${literal(o.operationId)},`,
      `    method: ${literal(o.method)},`,
      `    path: ${literal(o.path)},`,
      `    kind: ${literal(o.kind)},`,
      `    collection: ${literal(o.collection)},`,
      `    itemType: ${literal(o.itemType)},`,
      `    scopes: [${o.scopes.map(literal).join(", ")}],`,
      filters.length === 0 ? "    filters: []," : `    filters: [\n      ${filters.join(",\n      ")}\n    ],`,
      `    embeds: [${o.embeds.map(literal).join(", ")}],`,
      `    media: [${o.media.map(literal).join(", ")}]`,
      "  }"
    ].join("\n")
  })
  return `${header}
/** The kind of value a query filter takes. @internal */
export type FilterKind =
  | "string"
  | "integer"
  | "boolean"
  | "date"
  | "date-or-null"
  | "date-range"
  | "email-or-null"
  | "country-code"
  | "enum"

/** @internal */
export interface Filter {
  readonly name: string
  /** A comma-separated list (\`style: form, explode: false\`). */
  readonly list: boolean
  readonly kind: FilterKind
  readonly values?: ReadonlyArray<string>
  readonly required?: boolean
}

/** @internal */
export interface Operation {
  readonly operationId: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly kind: "list" | "item" | "create"
  /** The first path segment after \`/lucca-api/\`. */
  readonly collection: string
  /** The \`type\` constant of the resources the operation answers with. */
  readonly itemType: string
  /** Any one of these scopes grants the operation. */
  readonly scopes: ReadonlyArray<string>
  readonly filters: ReadonlyArray<Filter>
  /** The \`type\`s \`include=embedded\` may embed. */
  readonly embeds: ReadonlyArray<string>
  readonly media: ReadonlyArray<string>
}

/** The API version the table describes. @internal */
export const apiVersion = ${literal(document.info.version)}

/** The scopes of the description's OAuth security scheme. @internal */
export const scopes: ReadonlyArray<string> = [
${Description.scopesOf(document).map((s) => `  ${literal(s)}`).join(",\n")}
]

/** @internal */
export const operations: ReadonlyArray<Operation> = [
${lines.join(",\n")}
]
`
}
