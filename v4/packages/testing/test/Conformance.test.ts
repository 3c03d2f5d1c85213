/**
 * Every operation of Lucca's OpenAPI description, fetched from the emulator and
 * validated against the description's own response schemas (JSON Schema 2020-12,
 * `unevaluatedProperties: false`): lists with and without `include`, items, the two
 * POSTs, the binary portrait, the CloudEvents feed, and the problem documents.
 */
import { assert, describe, it } from "@effect/vitest"
import addFormatsModule from "ajv-formats"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Fs from "node:fs"
import * as FakeLucca from "../src/FakeLucca.js"
import { api, execute, getToken, send, withFake } from "./utils.js"

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

// the repository's copy of the description, beside the clone: ../shared/reference/ (from v4/)
const descriptionUrl = new URL("../../../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)

// seven inline copies of one schema share an `$id`, which a validator refuses as ambiguous
const description = JSON.parse(Fs.readFileSync(descriptionUrl, "utf8").replaceAll(/"\$id":\s*"[^"]*",?/g, ""))

// A defect of the description: `oneof-topics` lists the 14 topics and a catch-all
// `{"type": "string"}` under `oneOf`, so every known topic matches two branches and fails.
// Read it as the `anyOf` it means.
const topics = description.components.schemas["oneof-topics"]
topics.anyOf = topics.oneOf
delete topics.oneOf

const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false })
addFormats(ajv)
// formats of the description that JSON Schema does not define
for (const format of ["iso-3166-alpha-3", "iso-4217", "date-time-offset", "phone", "date-range", "int32", "int64"]) {
  ajv.addFormat(format, true)
}
ajv.addSchema({ $id: "lucca", components: description.components })

const resolve = (node: any): any => {
  while (node?.$ref !== undefined) {
    node = node.$ref.split("/").slice(1).reduce((at: any, key: string) => at[key], description)
  }
  return node
}
const relocate = (schema: unknown) =>
  JSON.parse(JSON.stringify(schema).replaceAll("\"#/components/", "\"lucca#/components/"))

interface Operation {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly operation: any
}

const operations: ReadonlyArray<Operation> = Object.entries<any>(description.paths).flatMap(([path, item]) =>
  (["get", "post"] as const).filter((m) => item[m] !== undefined).map((m) => ({
    method: m.toUpperCase() as "GET" | "POST",
    path,
    operation: item[m]
  }))
)

const validators = new Map<string, ReturnType<typeof ajv.compile>>()
const validate = (op: Operation, status: number, mediaType: string, body: unknown): void => {
  const response = resolve(op.operation.responses[String(status)] ?? op.operation.responses.default)
  assert.isDefined(response, `${op.method} ${op.path}: the description has no ${status} response`)
  const content = response.content?.[mediaType]
  assert.isDefined(content, `${op.method} ${op.path} ${status}: the description has no ${mediaType}`)
  const key = `${op.method} ${op.path} ${status} ${mediaType}`
  let validator = validators.get(key)
  if (validator === undefined) {
    validator = ajv.compile(relocate(content.schema))
    validators.set(key, validator)
  }
  const valid = validator(body)
  assert.isTrue(
    valid,
    `${key}: ${JSON.stringify(validator.errors?.slice(0, 5))}\n${JSON.stringify(body).slice(0, 600)}`
  )
}

/** A value the schema of a query parameter accepts. */
const validValue = (schema: any): string => {
  schema = resolve(schema)
  if (schema.type === "array") return validValue(schema.items)
  if (schema.format === "iso-3166-alpha-3") return "FRA"
  if (schema.format === "date-range") return "2020-01-01--.."
  if (schema.format === "date") return "2024-01-01"
  if (Array.isArray(schema.enum)) return schema.enum[0]
  if (Array.isArray(schema.oneOf)) return validValue(schema.oneOf[0])
  if (schema.type === "integer") return "1"
  if (schema.type === "boolean") return "false"
  if (schema.format === "email") return "someone@example.test"
  return "1001"
}

const mediaTypeOf = (contentType: string | undefined) => (contentType ?? "").split(";")[0].trim()

const seen = new Set<string>()

/** Sends the request and validates the answer against the operation's response for its status. */
const check = (op: Operation, request: HttpClientRequest.HttpClientRequest, expected: number) =>
  Effect.gen(function*() {
    const { body, headers, response, status } = yield* send(request)
    assert.strictEqual(status, expected, `${op.method} ${request.url}: ${JSON.stringify(body)}`)
    validate(op, status, mediaTypeOf(headers["content-type"]), body)
    if (status < 300) assert.isString(headers.etag, `${op.method} ${request.url}: no ETag`)
    seen.add(`${op.method} ${op.path}`)
    return { body, headers, response }
  })

describe("conformance with Lucca's OpenAPI description 2024-11-01", () => {
  it("the description has 35 operations and 53 scopes", () => {
    assert.strictEqual(operations.length, 35)
    assert.strictEqual(
      Object.keys(description.components.securitySchemes.oAuth.flows.clientCredentials.scopes).length,
      53
    )
  })

  it.effect("every operation answers as the description says", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const ids = new Map<string, string>()
      for (const op of operations.filter((o) => o.method === "GET" && !o.path.endsWith("{id}"))) {
        const collection = op.path.split("/")[2]
        const plain = yield* check(op, api(op.path, token), 200)
        assert.isAbove(plain.body.items.length, 0, `${op.path} serves no items`)
        ids.set(collection, plain.body.items[0].id)
        const full = yield* check(op, api(`${op.path}?limit=2&include=embedded,links,totalCount`, token), 200)
        assert.isNumber(full.body.totalCount)
        if (full.body.totalCount > 2) {
          assert.isString(full.body.links.next.href)
          const next = yield* check(op, api(full.body.links.next.href, token), 200)
          assert.notStrictEqual(next.body.items[0].id, full.body.items[0].id)
        }
        yield* check(op, api(`${op.path}?limit=101`, token), 400)
        // ETag: a second GET with If-None-Match is a 304
        const again = yield* send(
          api(op.path, token).pipe(HttpClientRequest.setHeader("if-none-match", plain.headers.etag))
        )
        assert.strictEqual(again.status, 304)
      }
      const portraitOwner = (yield* send(api("/lucca-api/employees?limit=100", token))).body.items
        .find((e: any) => e.portrait !== null)
      ids.set("portraits", portraitOwner.portrait.id)

      for (const op of operations.filter((o) => o.method === "GET" && o.path.endsWith("{id}"))) {
        const collection = op.path.split("/")[2]
        const id = ids.get(collection)!
        const path = op.path.replace("{id}", id)
        const plain = yield* check(op, api(path, token), 200)
        assert.strictEqual(plain.body.id, id)
        yield* check(op, api(`${path}?include=embedded,links`, token), 200)
        if (op.operation.responses["404"] !== undefined) {
          yield* check(op, api(op.path.replace("{id}", "999999999"), token), 404)
        }
      }

      // the portrait as a picture, the events as CloudEvents
      const portraitOp = operations.find((o) => o.path === "/lucca-api/portraits/{id}")!
      const picture = yield* execute(
        api(`/lucca-api/portraits/${ids.get("portraits")}`, token).pipe(
          HttpClientRequest.setHeader("accept", "application/octet-stream")
        )
      )
      assert.strictEqual(picture.status, 200)
      assert.strictEqual(mediaTypeOf(picture.headers["content-type"]), "application/octet-stream")
      assert.isDefined(resolve(portraitOp.operation.responses["200"]).content["application/octet-stream"])
      const bytes = new Uint8Array(yield* picture.arrayBuffer)
      assert.deepStrictEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47]) // "PNG"
      const eventsOp = operations.find((o) => o.path === "/lucca-api/events" && o.method === "GET")!
      const cloud = yield* check(
        eventsOp,
        api("/lucca-api/events", token).pipe(
          HttpClientRequest.setHeader("accept", "application/cloudevents-batch+json")
        ),
        200
      )
      assert.isAbove(cloud.body.length, 0)

      // the two POSTs
      const postEndpoint = operations.find((o) => o.path === "/lucca-api/webhook-endpoints" && o.method === "POST")!
      const created = yield* check(
        postEndpoint,
        HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/lucca-api/webhook-endpoints`).pipe(
          HttpClientRequest.setHeader("api-version", FakeLucca.defaultApiVersion),
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyJsonUnsafe({
            name: "Conformance",
            webhookUrl: "https://hooks.example.test/conformance",
            apiVersion: "2024-11-01",
            topics: ["employee.created"]
          })
        ),
        201
      )
      assert.strictEqual(created.headers.location, created.body.url)
      const postDelivery = operations.find((o) => o.path === "/lucca-api/webhook-deliveries" && o.method === "POST")!
      const ping = yield* check(
        postDelivery,
        HttpClientRequest.post(
          `${FakeLucca.defaultAccountUrl}/lucca-api/webhook-deliveries?webhookEndpoint.id=${created.body.id}`
        ).pipe(
          HttpClientRequest.setHeader("api-version", FakeLucca.defaultApiVersion),
          HttpClientRequest.bearerToken(token)
        ),
        201
      )
      assert.strictEqual(ping.headers.location, ping.body.url)

      // every query filter the description declares, with a valid value, is accepted
      let filters = 0
      for (const op of operations.filter((o) => o.method === "GET" && !o.path.endsWith("{id}"))) {
        for (const parameter of (op.operation.parameters ?? []).map(resolve)) {
          if (parameter.in !== "query" || ["page", "limit"].includes(parameter.name)) continue
          const value = validValue(resolve(parameter.schema))
          const url = `${op.path}?${new URLSearchParams({ [parameter.name]: value })}`
          yield* check(op, api(url, token), 200)
          filters++
        }
      }
      // the description declares 73 query parameters on its lists, besides page and limit
      assert.strictEqual(filters, 73)

      // problems: 400 (bad filter value), 401 (no token), 403 (a scope of another operation)
      const employeesOp = operations.find((o) => o.path === "/lucca-api/employees" && o.method === "GET")!
      yield* check(employeesOp, api("/lucca-api/employees?status=sleeping", token), 400)
      yield* check(employeesOp, api("/lucca-api/employees"), 401)
      const noVersion = yield* check(
        employeesOp,
        HttpClientRequest.get(`${FakeLucca.defaultAccountUrl}/lucca-api/employees`).pipe(
          HttpClientRequest.bearerToken(token)
        ),
        400
      )
      assert.include(noVersion.body.detail, "Api-Version")
      const narrow = yield* getToken({ scope: "departments.readonly" })
      yield* check(
        postEndpoint,
        api("/lucca-api/webhook-endpoints", narrow).pipe(
          HttpClientRequest.setMethod("POST"),
          HttpClientRequest.bodyJsonUnsafe({})
        ),
        403
      )

      const missing = operations.map((o) => `${o.method} ${o.path}`).filter((key) => !seen.has(key))
      assert.deepStrictEqual(missing, [])
      assert.strictEqual(seen.size, 35)
    }).pipe(withFake()))
})
