/**
 * What both lines know of Lucca's API, read from Lucca's own OpenAPI description: the
 * operations with their scopes, and the resources they answer with as `Schema`s. This
 * module depends on no Effect version; a `Dialect` writes the `Schema` expressions of one
 * line (Effect 3 or Effect 4), and `generate.ts` writes the files of each line.
 *
 * The walk of the description is the one `packages/core/scripts/generate.ts` does for the
 * Effect 3 line; `test/Generated.test.ts` checks that the Effect 3 dialect renders exactly
 * what that script renders, so that the two lines cannot drift apart.
 */
import * as Fs from "node:fs"

/** The description, as the repository keeps it beside the clone (../shared/reference). */
export const descriptionUrl = new URL("../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)

type Json = any

/** How one line writes `Schema` expressions. */
export interface Dialect {
  /** The script that writes the files, and the command that runs it, for their header. */
  readonly generator: string
  readonly regenerate: string
  /** One constant, or a union of several. */
  readonly literals: (values: ReadonlyArray<unknown>) => string
  readonly union: (members: ReadonlyArray<string>) => string
  /** A record of string keys. */
  readonly record: (value: string) => string
  /** The call that names a schema, such as `.annotations({ identifier: "X" })`. */
  readonly identifier: (name: string) => string
  /** `Reference`, `Link` and `collection`, after the import. */
  readonly prelude: string
}

const literal = (value: unknown): string => JSON.stringify(value)

/** The Effect 3 line: `effect` 3.x `Schema`. */
export const effect3: Dialect = {
  generator: "scripts/generate.ts",
  regenerate: "pnpm --filter @effect-lucca/core exec tsx scripts/generate.ts",
  literals: (values) => `Schema.Literal(${values.map(literal).join(", ")})`,
  union: (members) => `Schema.Union(${members.join(", ")})`,
  record: (value) => `Schema.Record({ key: Schema.String, value: ${value} })`,
  identifier: (name) => `.annotations({ identifier: ${literal(name)} })`,
  prelude: `/**
 * \`{id, type, url}\`: how a resource points at another.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reference = Schema.Struct({
  id: Schema.String,
  type: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String)
}).annotations({ identifier: "Reference" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Reference extends Schema.Schema.Type<typeof Reference> {}

/**
 * A link of \`include=links\`: \`{href}\`, or \`null\` where there is none.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Link = Schema.NullOr(Schema.Struct({ href: Schema.String }))

/**
 * One page of a collection: its \`items\`, and \`totalCount\`, \`links\` and \`embedded\` when
 * asked for with \`include\`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collection = <T extends string, A, I, R>(type: T, item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    type: Schema.Literal(type),
    url: Schema.String,
    items: Schema.Array(item),
    totalCount: Schema.optional(Schema.NullOr(Schema.Number)),
    links: Schema.optional(Schema.NullOr(Schema.Struct({ prev: Link, next: Link }))),
    embedded: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })
`
}

/** The Effect 4 line: `effect` 4.x `Schema` (`Literals`, array unions, `Record(key, value)`, `annotate`). */
export const effect4: Dialect = {
  generator: "common/scripts/generate.ts",
  regenerate: "pnpm generate",
  literals: (values) =>
    values.length === 1
      ? `Schema.Literal(${literal(values[0])})`
      : `Schema.Literals([${values.map(literal).join(", ")}])`,
  union: (members) => `Schema.Union([${members.join(", ")}])`,
  record: (value) => `Schema.Record(Schema.String, ${value})`,
  identifier: (name) => `.annotate({ identifier: ${literal(name)} })`,
  prelude: `/**
 * \`{id, type, url}\`: how a resource points at another.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reference = Schema.Struct({
  id: Schema.String,
  type: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String)
}).annotate({ identifier: "Reference" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Reference extends Schema.Schema.Type<typeof Reference> {}

/**
 * A link of \`include=links\`: \`{href}\`, or \`null\` where there is none.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Link = Schema.NullOr(Schema.Struct({ href: Schema.String }))

/**
 * One page of a collection: its \`items\`, and \`totalCount\`, \`links\` and \`embedded\` when
 * asked for with \`include\`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collection = <T extends string, S extends Schema.Top>(type: T, item: S) =>
  Schema.Struct({
    type: Schema.Literal(type),
    url: Schema.String,
    items: Schema.Array(item),
    totalCount: Schema.optional(Schema.NullOr(Schema.Number)),
    links: Schema.optional(Schema.NullOr(Schema.Struct({ prev: Link, next: Link }))),
    embedded: Schema.optional(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)))
  })
`
}

const deref = (document: Json, node: Json): Json => {
  while (node !== null && typeof node === "object" && typeof node.$ref === "string") {
    node = node.$ref.split("/").slice(1).reduce((at: Json, key: string) => at[key], document)
  }
  return node
}

const refName = (node: Json): string | undefined =>
  typeof node?.$ref === "string" ? node.$ref.split("/").at(-1) : undefined

/** An operation of the description. */
export interface Operation {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly operationId: string
  readonly scopes: ReadonlyArray<string>
  readonly itemSchema: string | undefined
  readonly kind: "list" | "item" | "create"
}

/** The operations of the description, in its order. */
export const operationsOf = (document: Json): ReadonlyArray<Operation> =>
  Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    (["get", "post"] as const).filter((m) => item[m] !== undefined).map((m) => {
      const operation = item[m]
      const success = deref(document, operation.responses["200"] ?? operation.responses["201"])
      const schema = success.content?.["application/json"]?.schema
      const first = schema?.allOf?.[0]
      return {
        method: m.toUpperCase() as "GET" | "POST",
        path,
        operationId: operation.operationId,
        scopes: (operation.security ?? []).flatMap((s: Json) => Object.values<Array<string>>(s).flat()),
        itemSchema: refName(first),
        kind: m === "post" ? "create" : path.endsWith("}") ? "item" : "list"
      }
    })
  )

/** The scopes of the description's OAuth security scheme. */
export const scopesOf = (document: Json): ReadonlyArray<string> =>
  Object.keys(document.components.securitySchemes.oAuth.flows.clientCredentials.scopes)

const header = (document: Json, dialect: Dialect) =>
  `// Generated by ${dialect.generator} from Lucca's OpenAPI description ${document.info.version}. Do not edit.
// Regenerate with \`${dialect.regenerate}\`.
`

/** `src/internal/operationScopes.ts` of either line (plain data), before formatting. */
export const renderOperationScopes = (document: Json, dialect: Dialect): string => {
  const operations = operationsOf(document).map((o) =>
    `  { method: ${literal(o.method)}, path: ${literal(o.path)}, scopes: [${o.scopes.map(literal).join(", ")}] }`
  )
  return `${header(document, dialect)}
/** @internal */
export interface Operation {
  readonly method: "GET" | "POST"
  /** A path template such as \`/lucca-api/employees/{id}\`. */
  readonly path: string
  /** Any one of these scopes grants the operation. */
  readonly scopes: ReadonlyArray<string>
}

/** The API version the table describes. @internal */
export const apiVersion = ${literal(document.info.version)}

/** The scopes of the description's OAuth security scheme. @internal */
export const scopes: ReadonlyArray<string> = [
${scopesOf(document).map((s) => `  ${literal(s)}`).join(",\n")}
]

/** @internal */
export const operations: ReadonlyArray<Operation> = [
${operations.join(",\n")}
]
`
}

const pascal = (name: string) =>
  name.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0).map((p) => p[0].toUpperCase() + p.slice(1)).join("")

/** The properties and required names of an object schema, through `allOf`. */
const objectOf = (document: Json, schema: Json): { properties: Record<string, Json>; required: Set<string> } => {
  schema = deref(document, schema)
  const properties: Record<string, Json> = {}
  const required = new Set<string>(schema.required ?? [])
  for (const part of schema.allOf ?? []) {
    const nested = objectOf(document, part)
    Object.assign(properties, nested.properties)
    for (const name of nested.required) required.add(name)
  }
  Object.assign(properties, schema.properties ?? {})
  return { properties, required }
}

/** A `Schema` expression for a JSON Schema. */
const schemaOf = (dialect: Dialect, document: Json, node: Json, depth: number): string => {
  const name = refName(node)
  if (name !== undefined && /-reference(\.readonly)?$/.test(name)) return "Reference"
  // ISO 3166 and ISO 4217 codes: a string (the lists are long, and grow)
  if (name === "country-code" || name === "currency-code") return "Schema.String"
  const schema = deref(document, node)
  if (schema === undefined || schema === null || depth > 6) return "Schema.Unknown"
  const types: Array<string> = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  const nullable = types.includes("null")
  const wrap = (s: string) => nullable ? `Schema.NullOr(${s})` : s
  if (schema.const !== undefined) return wrap(dialect.literals([schema.const]))
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v: unknown) => v !== null)
    return schema.enum.includes(null) || nullable
      ? `Schema.NullOr(${dialect.literals(values)})`
      : dialect.literals(values)
  }
  const alternatives: Array<Json> | undefined = schema.oneOf ?? schema.anyOf
  if (alternatives !== undefined) {
    const nonNull = alternatives.filter((a) => deref(document, a)?.type !== "null")
    const hasNull = nonNull.length < alternatives.length || nullable
    // a union of constants with a catch-all string (such as event topics) is a string
    const members = [...new Set(nonNull.map((a) => schemaOf(dialect, document, a, depth + 1)))]
    const union = members.includes("Schema.Unknown")
      ? "Schema.Unknown"
      : members.includes("Schema.String") &&
          members.every((m) => m === "Schema.String" || m.startsWith("Schema.Literal"))
      ? "Schema.String"
      : members.length === 1
      ? members[0]
      : dialect.union(members)
    return hasNull && union !== "Schema.Unknown" ? `Schema.NullOr(${union})` : union
  }
  if (schema.allOf !== undefined && !types.includes("object") && schema.properties === undefined) {
    // `allOf: [{$ref}, {description, readOnly}]`: the one part that constrains anything
    const annotations = new Set(["description", "readOnly", "writeOnly", "title", "examples", "example", "default"])
    const parts = schema.allOf.filter((part: Json) => Object.keys(part).some((k) => !annotations.has(k)))
    if (parts.length === 1 && Object.keys(objectOf(document, parts[0]).properties).length === 0) {
      return wrap(schemaOf(dialect, document, parts[0], depth + 1))
    }
  }
  if (schema.allOf !== undefined || types.includes("object") || schema.properties !== undefined) {
    const { properties, required } = objectOf(document, schema)
    if (Object.keys(properties).length === 0) {
      const values = schema.additionalProperties
      return wrap(
        dialect.record(
          values !== undefined && values !== true && values !== false
            ? schemaOf(dialect, document, values, depth + 1)
            : "Schema.Unknown"
        )
      )
    }
    return wrap(structOf(dialect, document, properties, required, depth + 1))
  }
  const nonNullTypes = types.filter((t) => t !== "null")
  if (nonNullTypes.length > 1) return "Schema.Unknown"
  switch (nonNullTypes[0]) {
    case "string":
      return wrap("Schema.String")
    case "integer":
    case "number":
      return wrap("Schema.Number")
    case "boolean":
      return wrap("Schema.Boolean")
    case "array":
      return wrap(
        `Schema.Array(${schema.items ? schemaOf(dialect, document, schema.items, depth + 1) : "Schema.Unknown"})`
      )
    default:
      return "Schema.Unknown"
  }
}

const key = (name: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : literal(name)

/** A resource's own `id`, `type` and `url` are read-only but always sent. */
const alwaysSent = new Set(["id", "type", "url"])

const structOf = (
  dialect: Dialect,
  document: Json,
  properties: Record<string, Json>,
  required: Set<string>,
  depth: number
): string => {
  const fields = Object.entries(properties).filter(([name]) => name !== "embedded").map(([name, node]) => {
    const expression = schemaOf(dialect, document, node, depth)
    const present = required.has(name) || (depth === 0 && alwaysSent.has(name))
    return `${key(name)}: ${present ? expression : `Schema.optional(${expression})`}`
  })
  return `Schema.Struct({ ${fields.join(", ")} })`
}

/** The resources the operations answer with, once each: `[component name, type constant]`. */
const resourcesOf = (document: Json): ReadonlyArray<readonly [string, string, string, boolean]> => {
  const seen = new Map<string, readonly [string, string, string, boolean]>()
  const operations = operationsOf(document)
  for (const operation of operations) {
    if (operation.kind === "list" || operation.itemSchema === undefined) continue
    const schema = deref(document, { $ref: `#/components/schemas/${operation.itemSchema}` })
    const type = objectOf(document, schema).properties.type?.const
    if (typeof type !== "string" || seen.has(type)) continue
    const collection = operation.path.split("/")[2]
    const listed = operations.some((o) => o.kind === "list" && o.path === `/lucca-api/${collection}`)
    seen.set(type, [operation.itemSchema, type, collection, listed])
  }
  return [...seen.values()]
}

/** The TypeScript type of one query filter's value. */
const filterType = (document: Json, schema: Json): string => {
  schema = deref(document, schema)
  if (schema.type === "array") return `ReadonlyArray<${filterType(document, schema.items)}>`
  if (schema.format === "iso-3166-alpha-3") return "string"
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(" | ")
  if (Array.isArray(schema.oneOf)) {
    return [...new Set(schema.oneOf.map((s: Json) => s.const !== undefined ? literal(s.const) : "string"))]
        .includes("string")
      ? "string"
      : schema.oneOf.map((s: Json) => literal(s.const)).join(" | ")
  }
  if (schema.type === "integer" || schema.type === "number") return "number"
  if (schema.type === "boolean") return "boolean"
  return "string"
}

/** The query filters of each list operation, as TypeScript interfaces. */
const filtersOf = (document: Json, collection: string): string | undefined => {
  const operation = document.paths[`/lucca-api/${collection}`]?.get
  if (operation === undefined) return undefined
  const filters = (operation.parameters ?? []).map((p: Json) => deref(document, p))
    .filter((p: Json) => p.in === "query" && p.name !== "page" && p.name !== "limit")
  const lines = filters.map((p: Json) => {
    const doc = (p.description ?? "").split("\n")[0].replace(/\*\//g, "*\\/").replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    return `${doc ? `  /** ${doc} */\n` : ""}  readonly ${key(p.name)}?: ${filterType(document, p.schema)} | undefined`
  })
  return lines.join("\n")
}

/** `src/LuccaResources.ts` of a line, before formatting. */
export const renderResources = (document: Json, dialect: Dialect): string => {
  const blocks = resourcesOf(document).map(([component, type, collection, listed]) => {
    const name = pascal(type)
    const { properties, required } = objectOf(document, { $ref: `#/components/schemas/${component}` })
    const plural = pascal(collection)
    const description = (deref(document, { $ref: `#/components/schemas/${component}` }).description ?? "")
      .split("\n")[0].replace(/\*\//g, "*\\/").replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    return `/**
 * A \`${type}\`, as \`/lucca-api/${collection}\` serves it.${description ? ` ${description}` : ""}
 *
 * @since 0.1.0
 * @category schemas
 */
export const ${name} = ${structOf(dialect, document, properties, required, 0)}${dialect.identifier(name)}

/**
 * @since 0.1.0
 * @category models
 */
export interface ${name} extends Schema.Schema.Type<typeof ${name}> {}
${
      listed
        ? `
/**
 * One page of \`GET /lucca-api/${collection}\`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ${plural}Page = collection(${literal(collection)}, ${name})

/**
 * The query filters of \`GET /lucca-api/${collection}\`; a list is sent comma-separated.
 *
 * @since 0.1.0
 * @category models
 */
export interface ${plural}Filters {
${filtersOf(document, collection)}
}
`
        : ""
    }`
  })
  // the module's documentation comes first, where docgen reads it
  return `/**
 * Effect \`Schema\`s of the resources of Lucca's API version \`${document.info.version}\`, generated
 * from Lucca's OpenAPI description. Fields the description marks optional are optional;
 * fields a newer server adds are ignored when decoding (\`onExcessProperty: "ignore"\`, the
 * default), so that an API change of that kind does not break a program.
 *
 * @see https://developers.lucca.fr/api-reference/latest
 * @since 0.1.0
 */
${header(document, dialect)}
import * as Schema from "effect/Schema"

${dialect.prelude}
${blocks.join("\n")}`
}

export const readDescription = (url: URL = descriptionUrl): Json => JSON.parse(Fs.readFileSync(url, "utf8"))
