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

const camel = (name: string) => {
  const p = pascal(name)
  return p[0].toLowerCase() + p.slice(1)
}

/** The first sentence of a description (its paragraphs wrap across lines). */
const firstSentence = (text: string | undefined) =>
  firstLine((text ?? "").split(/\n\s*\n/)[0].replace(/\s*\n\s*/g, " ").split(/(?<=[.:])\s+(?=[A-Z])/)[0])

const firstLine = (text: string | undefined) =>
  (text ?? "").split("\n")[0].replace(/\*\//g, "*\\/").replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").trim()

/** The TypeScript type of a request body's field (a reference is its `{ id }`). */
const inputType = (document: Json, node: Json): string => {
  const name = refName(node)
  if (name !== undefined && /-reference(\.readonly)?$/.test(name)) return "{ readonly id: string }"
  const schema = deref(document, node)
  const types: Array<string> = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  const orNull = (t: string) => types.includes("null") ? `${t} | null` : t
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(" | ")
  if (schema.allOf !== undefined && schema.properties === undefined) {
    const parts = schema.allOf.filter((part: Json) => part.$ref !== undefined || part.type !== undefined)
    if (parts.length === 1) return orNull(inputType(document, parts[0]))
  }
  switch (types.find((t) => t !== "null")) {
    case "array":
      return orNull(`ReadonlyArray<${inputType(document, schema.items)}>`)
    case "integer":
    case "number":
      return orNull("number")
    case "boolean":
      return orNull("boolean")
    default:
      return orNull("string")
  }
}

/** How Lucca's API version is written in the API's own description. */
const apiVersionField = "apiVersion"

/** The fields a `POST` takes: those of its body's schema that are not read-only. */
const inputOf = (document: Json, body: Json) => {
  const { properties, required } = objectOf(document, body)
  return Object.entries(properties).filter(([, node]) => deref(document, node)?.readOnly !== true)
    .map(([name, node]) => ({
      name,
      node,
      doc: name === apiVersionField
        ? `The API version of the resources it carries; default \`${document.info.version}\`, the version this client knows.`
        : firstLine(deref(document, node)?.description),
      // the API version defaults to the one the description is of
      required: required.has(name) && name !== apiVersionField,
      defaultsToVersion: name === apiVersionField
    }))
}

/** The fields the created resource has beyond the resource itself (such as a webhook's `secret`). */
const createdExtrasOf = (
  document: Json,
  response: Json
): ReadonlyArray<{ readonly name: string; readonly node: Json; readonly required: boolean }> => {
  const schema = deref(document, response)?.content?.["application/json"]?.schema
  const extras = (schema?.allOf ?? []).slice(1).filter((part: Json) => part.$ref === undefined && part.properties)
  return extras.flatMap((part: Json) =>
    Object.entries<Json>(part.properties).map(([name, node]) => ({
      name,
      node,
      required: (part.required ?? []).includes(name)
    }))
  )
}

/** A field a `POST` answers with once, such as a webhook's signing `secret`: `Redacted` at once. */
const isSecret = (name: string, node: Json) =>
  /secret|password|token/i.test(name) || node.writeOnly === true || node.format === "password"

/** `src/LuccaApi.ts` of a line, before formatting. */
export const renderApi = (document: Json, dialect: Dialect & ApiDialect): string => {
  const operations = operationsOf(document)
  const resources = new Map(resourcesOf(document).map(([, type, collection]) => [collection, pascal(type)]))
  const collections = [...new Set(operations.map((o) => o.path.split("/")[2]))]
  const blocks = collections.map((collection) => {
    const path = `/lucca-api/${collection}`
    const accessor = camel(collection)
    const resource = resources.get(collection)
    const list = operations.find((o) => o.kind === "list" && o.path === path)
    const get = operations.find((o) => o.kind === "item" && o.path.startsWith(`${path}/{`))
    const post = operations.find((o) => o.kind === "create" && o.path === path)
    if (resource === undefined || get === undefined) {
      throw new Error(`${path}: the generator knows collections read by id; this one is not`)
    }
    const getOperation = document.paths[get.path].get
    const tag: string = (getOperation.tags ?? ["api"])[0]
    const category = tag.startsWith("employee-") ? "occupations" : tag.toLowerCase()
    const component = deref(document, { $ref: `#/components/schemas/${get.itemSchema}` })
    const readScopes = (list ?? get).scopes.map((s) => `\`${s}\``).join(" or ")
    const base = list !== undefined
      ? `Collection<LuccaResources.${resource}, LuccaResources.${pascal(collection)}Filters>`
      : `Item<LuccaResources.${resource}>`
    const runtime = list !== undefined
      ? `Api.collection(${literal(collection)}, LuccaResources.${resource})`
      : `Api.item(${literal(collection)}, LuccaResources.${resource})`
    const summary = `\`${path}\`${list === undefined ? " (read by id only)" : ""}: ${
      firstSentence(component.description)
    }`
    if (post === undefined) {
      return `/**
 * ${summary}
 *
 * Scopes: ${readScopes}.
 *
 * @since 0.1.0
 * @category ${category}
 */
export const ${accessor}: ${base} = ${runtime}
`
    }
    const postOperation = document.paths[path].post
    const input = inputOf(document, postOperation.requestBody.content["application/json"].schema)
    const extras = createdExtrasOf(document, postOperation.responses["201"])
    const inputName = `New${resource}`
    const createdName = extras.length > 0 ? `Created${resource}` : undefined
    const fields = input.map((f) =>
      `${f.doc ? `  /** ${f.doc} */\n` : ""}  readonly ${key(f.name)}${f.required ? "" : "?"}: ${
        inputType(document, f.node)
      }${f.required ? "" : " | undefined"}`
    )
    const created = createdName === undefined ? "" : `
/**
 * The 201 of \`POST ${path}\`: the ${collection.replace(/s$/, "")} and ${
      extras.map((e) => `\`${e.name}\``).join(", ")
    }, which Lucca returns only then${extras.some((e) => isSecret(e.name, e.node)) ? ", `Redacted` at once" : ""}.
 *
 * @since 0.1.0
 * @category ${category}
 */
export const ${createdName} = ${
      dialect.extend(
        `LuccaResources.${resource}`,
        extras.map((e) => {
          const node = deref(document, e.node)
          const value = isSecret(e.name, node)
            ? dialect.redacted(node.minLength >= 1 ? "Schema.NonEmptyString" : "Schema.String")
            : schemaOf(dialect, document, node, 1)
          return `${key(e.name)}: ${e.required ? value : `Schema.optional(${value})`}`
        })
      )
    }${dialect.identifier(createdName)}

/**
 * @since 0.1.0
 * @category ${category}
 */
export interface ${createdName} extends Schema.Schema.Type<typeof ${createdName}> {}
`
    const defaults = input.filter((f) => f.defaultsToVersion).map((f) =>
      `${key(f.name)}: ${literal(document.info.version)}`
    )
    const example = apiExamples[collection]
    return `/**
 * What \`POST ${path}\` takes: ${firstLine(postOperation.requestBody.description) || firstLine(postOperation.summary)}.
 *
 * @since 0.1.0
 * @category ${category}
 */
export interface ${inputName} {
${fields.join("\n")}
}
${created}
/**
 * ${summary}
 *
 * Scopes: ${readScopes} to list and read; \`create\` (${firstLine(postOperation.summary)}) with ${
      post.scopes.map((s) => `\`${s}\``).join(" or ")
    }.${example ? `\n *\n${example.split("\n").map((l) => l === "" ? " *" : ` * ${l}`).join("\n")}` : ""}
 *
 * @since 0.1.0
 * @category ${category}
 */
export const ${accessor}: ${base} & Creates<${inputName}, ${createdName ?? `LuccaResources.${resource}`}> = {
  ...${runtime},
  ...Api.creates<${dialect.createsTypeArguments(inputName, createdName ?? `LuccaResources.${resource}`)}>(${
      literal(collection)
    }, ${createdName ?? `LuccaResources.${resource}`}, [${input.map((f) => literal(f.name)).join(", ")}]${
      defaults.length > 0 ? `, { ${defaults.join(", ")} }` : ""
    })
}
`
  })
  return `${dialect.apiPrelude(document.info.version)}
${header(document, { ...dialect, generator: "common/scripts/generate.ts", regenerate: "pnpm generate" })}
${dialect.apiImports}

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** Items per page: Lucca's default is 25, its maximum 100. */
  readonly limit?: number | undefined
}

/**
 * A collection that can be listed and read by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collection<A, Filters> extends Item<A> {
  /**
   * Every resource of the collection that the filters select (all of them without
   * filters), following the pages' \`links.next.href\`; pages are fetched as the stream is
   * pulled. A list filter is sent comma-separated, as the description specifies.
   */
  readonly list: (
    filters?: Filters,
    options?: ListOptions
  ) => Stream.Stream<A, Client.DecodedError, LuccaClient>
}

/**
 * A collection that can be read by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Item<A> {
  /** The path of the collection, such as \`/lucca-api/employees\`. */
  readonly path: string
  /** One resource by its id: \`GET {path}/{id}\`. An unknown id fails with an \`ApiError\` (404). */
  readonly get: (id: string) => Effect.Effect<A, Client.DecodedError, LuccaClient>
}

/**
 * A collection that takes \`POST\`: \`create\` sends the fields it knows (those left
 * \`undefined\` are not sent) and decodes the 201.
 *
 * @since 0.1.0
 * @category models
 */
export interface Creates<Input, A> {
  readonly create: (input: Input) => Effect.Effect<A, Client.DecodedError, LuccaClient>
}

${blocks.join("\n")}
/**
 * Every collection, as one value: \`LuccaApi.employees.list(...)\`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const LuccaApi = {
${collections.map((c) => `  ${camel(c)}`).join(",\n")}
} as const
`
}

/** What a line writes beyond its `Schema` dialect for `LuccaApi`. */
export interface ApiDialect {
  /** The module's documentation, first in the file where docgen reads it. */
  readonly apiPrelude: (version: string) => string
  readonly apiImports: string
  /** A struct with the fields of `base` and more. */
  readonly extend: (base: string, fields: ReadonlyArray<string>) => string
  readonly redacted: (schema: string) => string
  /** The type arguments of \`Api.creates\`: the input's type, and the schema's name. */
  readonly createsTypeArguments: (input: string, schema: string) => string
}

/** Examples written beside a generated accessor (docgen type-checks them), by collection. */
const apiExamples: Record<string, string> = {
  "webhook-endpoints": `@example
\`\`\`ts
import { LuccaApi } from "@effect-lucca/core/LuccaApi"
import { Effect, Redacted } from "effect"

// needs a LuccaClient with webhook-endpoints.readwrite
const subscribe = Effect.gen(function*() {
  const endpoint = yield* LuccaApi.webhookEndpoints.create({
    name: "HR sync",
    webhookUrl: "https://hooks.example.com/lucca",
    topics: ["employee.created", "employee.updated"]
  })
  // shown once: keep it in your secret store
  return { id: endpoint.id, secret: endpoint.secret satisfies Redacted.Redacted<string> }
})
\`\`\``
}

const apiModuleDoc = (version: string, imports: string, anId: string) =>
  `/**
 * A typed client of Lucca's API version \`${version}\`: one accessor per collection of
 * Lucca's OpenAPI description, whose \`list\` pages through the collection with its query
 * filters, whose \`get\` reads one resource, and whose \`create\` (where the description has a
 * \`POST\`) sends one, all decoded with the generated \`LuccaResources\` schemas.
 *
 * It is built on the \`LuccaClient\` in context, so authentication, pacing, retries and
 * the typed errors apply unchanged. Fields a newer server adds are ignored when decoding.
 *
 * @example
${imports}
 *
 * // needs a LuccaClient (for example NodeLucca.layer) with employees.readonly
 * const program = Effect.gen(function*() {
 *   const active = yield* LuccaApi.employees.list({ status: ["active"] }).pipe(Stream.runCollect)
 *   ${anId}
 *   return { count: active.length, name: \`\${first.givenName} \${first.familyName}\` }
 * })
 *
 * @see https://developers.lucca.fr/api-reference/latest
 * @since 0.1.0
 */`

/** The Effect 3 line's `LuccaApi`. */
export const effect3Api: Dialect & ApiDialect = {
  ...effect3,
  apiPrelude: (version) =>
    apiModuleDoc(
      version,
      ` * import { LuccaApi } from "@effect-lucca/core/LuccaApi"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"`,
      `// an id of your account (the emulator's employees are 1001 to 1100)
 *   const first = yield* LuccaApi.employees.get("1001")`
    ),
  apiImports: `import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as Api from "./internal/luccaApi.js"
import type { LuccaClient } from "./LuccaClient.js"
import type * as Client from "./LuccaClient.js"
import * as LuccaResources from "./LuccaResources.js"`,
  extend: (base, fields) => `Schema.extend(${base}, Schema.Struct({ ${fields.join(", ")} }))`,
  redacted: (schema) => `Schema.Redacted(${schema})`,
  createsTypeArguments: (input, schema) => `${input}, ${schema}, Schema.Schema.Encoded<typeof ${schema}>`
}

/** The Effect 4 line's \`LuccaApi\`: the same module, in Effect 4's \`Schema\`. */
export const effect4Api: Dialect & ApiDialect = {
  ...effect4,
  apiPrelude: (version) =>
    apiModuleDoc(
      version,
      ` * import { LuccaApi } from "@effect-lucca/core/LuccaApi"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"`,
      `// an id of your account (the emulator's employees are 1001 to 1100)
 *   const first = yield* LuccaApi.employees.get("1001")`
    ),
  apiImports: effect3Api.apiImports,
  extend: (base, fields) => `${base}.mapFields((fields) => ({ ...fields, ${fields.join(", ")} }))`,
  // a raw string in the 201, decoded into `Redacted` (Effect 4's `Redacted` is the type side only)
  redacted: (schema) => `Schema.RedactedFromValue(${schema})`,
  createsTypeArguments: (input, schema) => `${input}, ${schema}`
}
