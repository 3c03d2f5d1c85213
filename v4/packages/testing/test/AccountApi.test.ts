import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import * as FakeLucca from "../src/FakeLucca.js"
import { api, get, getToken, send, withFake } from "./utils.js"

const problemShape = (body: any, status: number) => {
  assert.strictEqual(body.status, status)
  assert.isString(body.type)
  assert.isString(body.title)
  assert.isString(body.instance)
}

describe("authentication and scopes", () => {
  it.effect("401 problem+json for a missing or unknown token", () =>
    Effect.gen(function*() {
      for (const token of [undefined, "not-a-token"]) {
        const { body, headers, status } = yield* get("/lucca-api/employees", token)
        assert.strictEqual(status, 401)
        assert.strictEqual(headers["content-type"], "application/problem+json")
        problemShape(body, 401)
        assert.strictEqual(body.title, "Unauthorized")
        assert.strictEqual(body.instance, "/lucca-api/employees")
      }
    }).pipe(withFake()))

  it.effect("403 for a missing scope, without naming it in WWW-Authenticate", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "employees.readonly" })
      const { body, headers, status } = yield* get("/lucca-api/events", token)
      assert.strictEqual(status, 403)
      problemShape(body, 403)
      assert.isUndefined(headers["www-authenticate"])
      assert.notInclude(JSON.stringify(body), "events.read")
    }).pipe(withFake()))

  it.effect("scopes are the description's: professions take job-qualifications, events only events.readonly", () =>
    Effect.gen(function*() {
      const qualifications = yield* getToken({ scope: "job-qualifications.readonly" })
      assert.strictEqual((yield* get("/lucca-api/professions", qualifications)).status, 200)
      const professions = yield* getToken({ scope: "occupation-categories.readwrite" })
      assert.strictEqual((yield* get("/lucca-api/professions", professions)).status, 403)
      const events = yield* getToken({ scope: "events.readonly" })
      assert.strictEqual((yield* get("/lucca-api/events", events)).status, 200)
      // the portrait of an employee is read with the employees scope
      const employees = yield* getToken({ scope: "employees.readonly" })
      const owner = (yield* get("/lucca-api/employees?limit=100", employees)).body.items.find((e: any) => e.portrait)
      assert.strictEqual((yield* get(`/lucca-api/portraits/${owner.portrait.id}`, employees)).status, 200)
    }).pipe(withFake()))

  it.effect("either form of the resource scope allows reads", () =>
    Effect.gen(function*() {
      const readwrite = yield* getToken({ scope: "employees.readwrite" })
      assert.strictEqual((yield* get("/lucca-api/employees/1001", readwrite)).status, 200)
    }).pipe(withFake()))
})

describe("resources", () => {
  it.effect("serves lists and items of every modelled resource", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      for (const type of FakeLucca.resources.filter((r) => r !== "portraits")) {
        const list = yield* get(`/lucca-api/${type}?limit=3`, token)
        assert.strictEqual(list.status, 200, type)
        assert.strictEqual(list.body.type, type)
        assert.strictEqual(list.body.url, `https://example.ilucca.net/lucca-api/${type}?limit=3`)
        assert.isAbove(list.body.items.length, 0)
        assert.deepStrictEqual(Object.keys(list.body), ["type", "url", "items"])
        const first = list.body.items[0]
        // an item's `type` is singular: "employee" in the list "employees"
        assert.notStrictEqual(first.type, type)
        assert.strictEqual(first.url, `https://example.ilucca.net/lucca-api/${type}/${first.id}`)
        const one = yield* get(`/lucca-api/${type}/${first.id}`, token)
        assert.strictEqual(one.status, 200)
        assert.deepStrictEqual(one.body, first)
      }
    }).pipe(withFake()))

  it.effect("references are {id, type, url} on the account host", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { body } = yield* get("/lucca-api/job-positions/4002", token)
      assert.deepStrictEqual(Object.keys(body.department), ["id", "type", "url"])
      assert.strictEqual(body.department.type, "department")
      assert.strictEqual(body.department.url, `https://example.ilucca.net/lucca-api/departments/${body.department.id}`)
      assert.strictEqual(body.employee.type, "employee")
    }).pipe(withFake()))

  it.effect("404 for an unknown id or resource, 405 for a method a resource does not take", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const missing = yield* get("/lucca-api/employees/999999", token)
      assert.strictEqual(missing.status, 404)
      problemShape(missing.body, 404)
      // leaves and leave-requests have schemas but no paths in version 2024-11-01
      assert.strictEqual((yield* get("/lucca-api/leaves", token)).status, 404)
      assert.strictEqual((yield* get("/lucca-api/employees/1001/leaves", token)).status, 404)
      const deleted = yield* send(
        api(`/lucca-api/employees/1001`, token).pipe(HttpClientRequest.setMethod("DELETE"))
      )
      assert.strictEqual(deleted.status, 405)
      assert.strictEqual(deleted.headers.allow, "GET, HEAD, OPTIONS")
      const put = yield* send(api(`/lucca-api/webhook-endpoints`, token).pipe(HttpClientRequest.setMethod("PUT")))
      assert.strictEqual(put.status, 405)
      assert.strictEqual(put.headers.allow, "GET, POST, HEAD, OPTIONS")
    }).pipe(withFake()))
})

describe("HEAD", () => {
  it.effect("works like GET, without a body", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const head = yield* send(api("/lucca-api/employees/1001", token).pipe(HttpClientRequest.setMethod("HEAD")))
      assert.strictEqual(head.status, 200)
      assert.strictEqual(head.body, null)
      assert.isString(head.headers.etag)
    }).pipe(withFake()))
})

describe("business establishments", () => {
  it.effect("an application only sees its establishments: absent from lists, 404 by id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const data = yield* fake.data()
      const geneva = data.resources["business-establishments"].find((e) => (e.name as string).endsWith("Genève"))!
      const application = yield* fake.registerApplication({
        name: "Geneva only",
        businessEstablishmentIds: [geneva.id]
      })
      const token = yield* getToken({
        client_id: application.clientId,
        client_secret: Redacted.value(application.clientSecret)
      })
      const positions = data.resources["job-positions"]
      const establishmentOf = (employeeId: string) =>
        (positions.find((p) => (p.employee as any).id === employeeId)!.businessEstablishment as any).id
      const employees = data.resources.employees
      const visible = new Set(employees.filter((e) => establishmentOf(e.id) === geneva.id).map((e) => e.id))
      assert.isAbove(visible.size, 0)
      assert.isBelow(visible.size, employees.length)

      const listed = yield* get("/lucca-api/employees?limit=100&include=totalCount", token)
      assert.strictEqual(listed.body.totalCount, visible.size)
      for (const employee of listed.body.items) assert.isTrue(visible.has(employee.id))
      const outsider = employees.find((e) => !visible.has(e.id))!
      assert.strictEqual((yield* get(`/lucca-api/employees/${outsider.id}`, token)).status, 404)

      // what hangs off an employee follows the employee
      const employments = yield* get("/lucca-api/employments?limit=100", token)
      assert.isAbove(employments.body.items.length, 0)
      for (const employment of employments.body.items) assert.isTrue(visible.has(employment.employee.id))
      const hidden = data.resources.employments.find((e) => !visible.has((e.employee as any).id))!
      assert.strictEqual((yield* get(`/lucca-api/employments/${hidden.id}`, token)).status, 404)
      const records = yield* get("/lucca-api/employee-personal-records?limit=100", token)
      for (const record of records.body.items) assert.isTrue(visible.has(record.employee.id))

      const establishments = yield* get("/lucca-api/business-establishments", token)
      assert.deepStrictEqual(establishments.body.items.map((e: any) => e.id), [geneva.id])
    }).pipe(withFake()))
})

describe("pagination", () => {
  it.effect("walking links.next.href yields every employee once, matching totalCount", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      let page = yield* get("/lucca-api/employees?limit=30&include=links,totalCount", token)
      assert.strictEqual(page.body.links.prev, null)
      const ids: Array<string> = []
      let pages = 0
      while (true) {
        pages++
        ids.push(...page.body.items.map((e: any) => e.id))
        assert.strictEqual(page.body.totalCount, 100)
        if (page.body.links.next === null) break
        const next = new URL(page.body.links.next.href)
        assert.strictEqual(next.origin, "https://example.ilucca.net")
        assert.strictEqual(next.searchParams.get("limit"), "30")
        assert.strictEqual(next.searchParams.get("include"), "links,totalCount")
        page = yield* get(page.body.links.next.href, token)
        assert.strictEqual(page.status, 200)
        assert.isNotNull(page.body.links.prev)
      }
      assert.strictEqual(pages, 4)
      assert.strictEqual(ids.length, 100)
      assert.strictEqual(new Set(ids).size, 100)

      const previous = yield* get(page.body.links.prev.href, token)
      assert.deepStrictEqual(previous.body.items.map((e: any) => e.id), ids.slice(60, 90))
    }).pipe(withFake()))

  it.effect("limit defaults to 25 and must be between 0 and 100", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      assert.strictEqual((yield* get("/lucca-api/employees", token)).body.items.length, 25)
      assert.strictEqual((yield* get("/lucca-api/employees?limit=100", token)).body.items.length, 100)
      const none = yield* get("/lucca-api/employees?limit=0&include=totalCount", token)
      assert.deepStrictEqual([none.body.items.length, none.body.totalCount], [0, 100])
      for (const limit of ["101", "-1", "ten"]) {
        const { body, headers, status } = yield* get(`/lucca-api/employees?limit=${limit}`, token)
        assert.strictEqual(status, 400, limit)
        assert.strictEqual(headers["content-type"], "application/problem+json")
        problemShape(body, 400)
        assert.isArray(body.errors.limit)
        assert.isString(body.extensions.traceId)
      }
    }).pipe(withFake()))

  it.effect("a malformed or tampered cursor gets 400", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const first = yield* get("/lucca-api/employees?include=links", token)
      const cursor = new URL(first.body.links.next.href).searchParams.get("page")!
      const forged = Buffer.from(Buffer.from(cursor, "base64url").toString().replace(/^25/, "50")).toString("base64url")
      for (const page of ["!S7DHF", "bm90LWEtY3Vyc29y", forged]) {
        const { body, status } = yield* get(`/lucca-api/employees?page=${encodeURIComponent(page)}`, token)
        assert.strictEqual(status, 400, page)
        assert.isArray(body.errors.page)
      }
      // a cursor of one list is not valid for another
      assert.strictEqual((yield* get(`/lucca-api/employments?page=${cursor}`, token)).status, 400)
      assert.strictEqual((yield* get(`/lucca-api/employees?page=${cursor}`, token)).status, 200)
    }).pipe(withFake()))

  it.effect("include only adds the parts asked for", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const total = yield* get("/lucca-api/employees?include=totalCount", token)
      assert.deepStrictEqual(Object.keys(total.body), ["type", "url", "items", "totalCount"])
      const embedded = yield* get("/lucca-api/employees?limit=5&include=embedded", token)
      assert.deepStrictEqual(Object.keys(embedded.body), ["type", "url", "items", "embedded"])
      // an employee embeds its applicable employment and job position, by type then id
      const position = embedded.body.items[0].applicableJobPosition
      assert.strictEqual(embedded.body.embedded["job-position"][position.id].url, position.url)
      assert.isString(embedded.body.embedded["job-position"][position.id].jobTitle)
      assert.isUndefined(embedded.body.items[0].links)
      const linked = yield* get("/lucca-api/employees/1001?include=links", token)
      assert.strictEqual(
        linked.body.links.employments.href,
        "https://example.ilucca.net/lucca-api/employments?employee.id=1001"
      )
      const unknown = yield* get("/lucca-api/employees?include=everything", token)
      assert.strictEqual(unknown.status, 400)
      assert.isArray(unknown.body.errors.include)
    }).pipe(withFake()))
})

describe("Api-Version", () => {
  it.effect("the version is echoed in the response", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { headers } = yield* get("/lucca-api/departments", token)
      assert.strictEqual(headers["api-version"], FakeLucca.defaultApiVersion)
      assert.strictEqual(headers["api-version"], "2024-11-01")
    }).pipe(withFake()))

  it.effect("the header is required (the description says so): its absence is a 400 that says what to send", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { body, status } = yield* send(
        HttpClientRequest.get(`${FakeLucca.defaultAccountUrl}/lucca-api/departments`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      assert.strictEqual(status, 400)
      problemShape(body, 400)
      assert.include(body.detail, "Api-Version: 2024-11-01")
      assert.isArray(body.errors["Api-Version"])
    }).pipe(withFake()))

  it.effect("a later date picks the closest earlier version", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { headers, status } = yield* send(
        api("/lucca-api/departments", token).pipe(HttpClientRequest.setHeader("Api-Version", "2025-06-30"))
      )
      assert.strictEqual(status, 200)
      assert.strictEqual(headers["api-version"], "2024-11-01")
    }).pipe(withFake()))

  it.effect("a malformed date or one before 2024-11-01 gets 400", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      for (const version of ["2024-10-31", "2024-13-01", "2024-02-30", "latest", "2024-11-01T00:00:00Z"]) {
        const { body, status } = yield* send(
          api("/lucca-api/departments", token).pipe(HttpClientRequest.setHeader("Api-Version", version))
        )
        assert.strictEqual(status, 400, version)
        problemShape(body, 400)
        assert.isArray(body.errors["Api-Version"])
      }
    }).pipe(withFake()))
})

describe("ETag", () => {
  it.effect("items and lists carry an ETag; If-None-Match answers 304", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const first = yield* get("/lucca-api/employees/1001", token)
      const etag = first.headers.etag
      assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/)
      const again = yield* send(
        api("/lucca-api/employees/1001", token).pipe(
          HttpClientRequest.setHeader("If-None-Match", etag)
        )
      )
      assert.strictEqual(again.status, 304)
      assert.strictEqual(again.body, null)
      assert.strictEqual(again.headers.etag, etag)
      const other = yield* send(
        api("/lucca-api/employees/1002", token).pipe(
          HttpClientRequest.setHeader("If-None-Match", etag)
        )
      )
      assert.strictEqual(other.status, 200)
      const list = yield* get("/lucca-api/employees", token)
      assert.isString(list.headers.etag)
    }).pipe(withFake()))
})

describe("POST /lucca-api/webhook-endpoints", () => {
  const create = (token: string, body: unknown) =>
    send(
      api("/lucca-api/webhook-endpoints", token).pipe(
        HttpClientRequest.setMethod("POST"),
        HttpClientRequest.bodyJsonUnsafe(body)
      )
    )
  const valid = {
    name: "Payroll sync",
    webhookUrl: "https://hooks.example.test/payroll",
    apiVersion: "2024-11-01",
    topics: ["employee.created", "employee.updated"]
  }

  it.effect("needs webhook-endpoints.readwrite", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "webhook-endpoints.readonly" })
      const { status } = yield* create(token, valid)
      assert.strictEqual(status, 403)
    }).pipe(withFake()))

  it.effect("creates an endpoint: 201 with the resource and its secret, then served like the others", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "webhook-endpoints.readwrite" })
      const { body, headers, status } = yield* create(token, valid)
      assert.strictEqual(status, 201)
      assert.strictEqual(body.type, "webhook-endpoint")
      assert.strictEqual(body.name, "Payroll sync")
      assert.strictEqual(body.businessEstablishments, null)
      assert.isString(body.secret)
      assert.strictEqual(headers.location, body.url)
      const read = yield* get(`/lucca-api/webhook-endpoints/${body.id}?include=links`, token)
      const { secret: _secret, ...stored } = body
      assert.deepStrictEqual(read.body, stored)
      const fake = yield* FakeLucca.FakeLucca
      const data = yield* fake.data()
      assert.isTrue(data.resources["webhook-endpoints"].some((e) => e.id === body.id))
      // the endpoints an application created, by its client id
      const mine = yield* get(`/lucca-api/webhook-endpoints?application.id=${FakeLucca.defaultClientId}`, token)
      assert.deepStrictEqual(mine.body.items.map((e: any) => e.id), [body.id])
    }).pipe(withFake()))

  it.effect("bad input gets 400 problem+json with errors by field and extensions.traceId", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "webhook-endpoints.readwrite" })
      // the HttpClient propagates the caller's trace in `traceparent`: the problem echoes its id
      const { body, headers, span, status } = yield* Effect.gen(function*() {
        const span = yield* Effect.currentSpan
        const answer = yield* create(token, { name: "", webhookUrl: "http://plain.test", topics: "all" })
        return { ...answer, span }
      }).pipe(Effect.withSpan("create a webhook endpoint"))
      assert.strictEqual(status, 400)
      assert.strictEqual(headers["content-type"], "application/problem+json")
      problemShape(body, 400)
      assert.deepStrictEqual(Object.keys(body.errors).sort(), ["apiVersion", "name", "topics", "webhookUrl"])
      for (const messages of Object.values(body.errors)) assert.isAbove((messages as Array<string>).length, 0)
      assert.strictEqual(body.extensions.traceId, span.traceId)

      const stranger = yield* create(token, { ...valid, businessEstablishments: [{ id: "42" }] })
      assert.deepStrictEqual(Object.keys(stranger.body.errors), ["businessEstablishments"])
      const text = yield* send(
        api("/lucca-api/webhook-endpoints", token).pipe(
          HttpClientRequest.setMethod("POST"),
          HttpClientRequest.bodyText("name=x")
        )
      )
      assert.strictEqual(text.status, 415)
    }).pipe(withFake()))
})

describe("filters and sort", () => {
  it.effect("filters the description declares narrow lists; a wrong value is a 400 naming the filter", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const fake = yield* FakeLucca.FakeLucca
      const data = yield* fake.data()
      const ids = (path: string) => Effect.map(get(path, token), ({ body }) => body.items.map((i: any) => i.id))

      const madrid = data.resources["business-establishments"].find((e) => (e.name as string).endsWith("Madrid"))!
      const spain = (madrid.legalEntity as any).id
      assert.deepStrictEqual(yield* ids(`/lucca-api/business-establishments?legalEntity.id=${spain}`), [madrid.id])
      assert.deepStrictEqual(yield* ids("/lucca-api/legal-entities?countryCode=CHE,ESP"), ["102", "103"])

      // a join through the applicable employment
      const spanish = yield* get(`/lucca-api/employees?limit=100&applicableEmployment.legalEntity.id=${spain}`, token)
      const expected = data.resources.employments.filter((e) => (e.legalEntity as any).id === spain)
        .map((e) => (e.employee as any).id)
      assert.deepStrictEqual(spanish.body.items.map((e: any) => e.id), expected)

      const manager = data.resources.employees[0]
      const found = yield* get(`/lucca-api/employees?search=${encodeURIComponent(manager.givenName as string)}`, token)
      assert.isTrue(found.body.items.every((e: any) => e.givenName === manager.givenName))
      assert.isAbove(found.body.items.length, 0)

      const statuses = yield* get("/lucca-api/employees?limit=100&status=upcoming,deactivated", token)
      assert.isTrue(statuses.body.items.every((e: any) => e.status !== "active"))
      const sorted = yield* get("/lucca-api/employees?limit=100&sort=-familyName", token)
      const names = sorted.body.items.map((e: any) => e.familyName as string)
      assert.deepStrictEqual(names, [...names].sort((a, b) => b.localeCompare(a)))

      const started = yield* get("/lucca-api/employments?limit=100&start.date.between=..--2020-12-31", token)
      assert.isTrue(started.body.items.every((e: any) => e.start.date <= "2020-12-31"))

      for (
        const [path, field] of [
          ["/lucca-api/employees?status=retired", "status"],
          ["/lucca-api/employments?start.date.between=2024-12-31--2024-01-01", "start.date.between"],
          ["/lucca-api/job-qualifications?rank=first", "rank"],
          ["/lucca-api/departments?isArchived=maybe", "isArchived"],
          ["/lucca-api/employees?sort=givenName", "sort"]
        ] as const
      ) {
        const { body, status } = yield* get(path, token)
        assert.strictEqual(status, 400, path)
        assert.isArray(body.errors[field], path)
      }
    }).pipe(withFake()))
})

describe("deprecation", () => {
  it.effect("adds Deprecation and Sunset headers to one resource", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const token = yield* getToken()
      yield* fake.deprecate("employees", {
        deprecatedAt: new Date("2025-01-01T00:00:00Z"),
        sunset: new Date("2026-01-01T00:00:00Z"),
        link: "https://developers.lucca.fr/changelog"
      })
      const employees = yield* get("/lucca-api/employees", token)
      assert.strictEqual(employees.headers.deprecation, "@1735689600")
      assert.strictEqual(employees.headers.sunset, "Thu, 01 Jan 2026 00:00:00 GMT")
      assert.strictEqual(employees.headers.link, "<https://developers.lucca.fr/changelog>; rel=\"deprecation\"")
      assert.isUndefined((yield* get("/lucca-api/departments", token)).headers.deprecation)
      yield* fake.undeprecate("employees")
      assert.isUndefined((yield* get("/lucca-api/employees", token)).headers.deprecation)
    }).pipe(withFake()))
})

describe("CORS", () => {
  const preflight = (url: string, method: string) =>
    send(
      HttpClientRequest.make("OPTIONS")(url).pipe(
        HttpClientRequest.setHeaders({
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": method,
          "Access-Control-Request-Headers": "authorization, api-version, content-type, traceparent, b3"
        })
      )
    )

  it.effect("answers preflights of the token endpoint and the API", () =>
    Effect.gen(function*() {
      for (
        const [url, method] of [
          [FakeLucca.tokenUrl, "POST"],
          [`${FakeLucca.defaultAccountUrl}/lucca-api/employees`, "GET"],
          [`${FakeLucca.defaultAccountUrl}/lucca-api/webhook-endpoints`, "POST"]
        ] as const
      ) {
        const { headers, status } = yield* preflight(url, method)
        assert.strictEqual(status, 204)
        assert.strictEqual(headers["access-control-allow-origin"], "http://localhost:5173")
        assert.include(headers["access-control-allow-methods"], method)
        const allowed = headers["access-control-allow-headers"].toLowerCase().split(", ")
        for (const header of ["authorization", "api-version", "content-type", "traceparent", "b3"]) {
          assert.include(allowed, header)
        }
      }
      const fake = yield* FakeLucca.FakeLucca
      const stats = yield* fake.stats
      assert.strictEqual(stats.api.total + stats.token.total, 0)
    }).pipe(withFake()))

  it.effect("exposes ETag, Retry-After, Api-Version, Deprecation and Sunset to scripts", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { headers } = yield* send(
        api("/lucca-api/employees", token).pipe(HttpClientRequest.setHeader("Origin", "http://localhost:5173"))
      )
      assert.strictEqual(headers["access-control-allow-origin"], "http://localhost:5173")
      const exposed = headers["access-control-expose-headers"].toLowerCase().split(", ")
      for (const header of ["etag", "retry-after", "api-version", "deprecation", "sunset"]) {
        assert.include(exposed, header)
      }
    }).pipe(withFake()))
})
