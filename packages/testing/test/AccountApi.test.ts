import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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
      const { body, headers, status } = yield* get("/lucca-api/leaves", token)
      assert.strictEqual(status, 403)
      problemShape(body, 403)
      assert.isUndefined(headers["www-authenticate"])
      assert.notInclude(JSON.stringify(body), "leaves.read")
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
      for (const type of FakeLucca.resources) {
        const list = yield* get(`/lucca-api/${type}?limit=3`, token)
        assert.strictEqual(list.status, 200, type)
        assert.strictEqual(list.body.type, type)
        assert.strictEqual(list.body.url, `https://example.ilucca.net/lucca-api/${type}?limit=3`)
        assert.isAbove(list.body.items.length, 0)
        assert.deepStrictEqual(Object.keys(list.body), ["type", "url", "items"])
        const first = list.body.items[0]
        assert.strictEqual(first.type, type)
        assert.strictEqual(first.url, `https://example.ilucca.net/lucca-api/${type}/${first.id}`)
        assert.isString(first.createdAt)
        assert.isString(first.lastUpdatedAt)
        const one = yield* get(`/lucca-api/${type}/${first.id}`, token)
        assert.strictEqual(one.status, 200)
        assert.deepStrictEqual(one.body, first)
      }
    }).pipe(withFake()))

  it.effect("references are {id, type, url} on the account host", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { body } = yield* get("/lucca-api/employees/1002", token)
      assert.deepStrictEqual(Object.keys(body.department), ["id", "type", "url"])
      assert.strictEqual(body.department.type, "departments")
      assert.strictEqual(body.department.url, `https://example.ilucca.net/lucca-api/departments/${body.department.id}`)
    }).pipe(withFake()))

  it.effect("404 for an unknown id or resource, 405 for a method a resource does not take", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const missing = yield* get("/lucca-api/employees/999999", token)
      assert.strictEqual(missing.status, 404)
      problemShape(missing.body, 404)
      assert.strictEqual((yield* get("/lucca-api/webhook-endpoints", token)).status, 404)
      assert.strictEqual((yield* get("/lucca-api/employees/1001/leaves", token)).status, 404)
      const deleted = yield* send(
        HttpClientRequest.del(`${FakeLucca.defaultAccountUrl}/lucca-api/employees/1001`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      assert.strictEqual(deleted.status, 405)
      assert.strictEqual(deleted.headers.allow, "GET, HEAD, OPTIONS")
      const put = yield* send(
        HttpClientRequest.put(`${FakeLucca.defaultAccountUrl}/lucca-api/leaves`).pipe(
          HttpClientRequest.bearerToken(token)
        )
      )
      assert.strictEqual(put.status, 405)
      assert.strictEqual(put.headers.allow, "GET, HEAD, POST, OPTIONS")
    }).pipe(withFake()))
})

describe("business establishments", () => {
  it.effect("an application only sees its establishments: absent from lists, 404 by id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const data = yield* fake.data()
      const geneva = data.businessEstablishments.find((e) => e.city === "Genève")!
      const application = yield* fake.registerApplication({
        name: "Geneva only",
        businessEstablishmentIds: [geneva.id]
      })
      const token = yield* getToken({
        client_id: application.clientId,
        client_secret: Redacted.value(application.clientSecret)
      })
      const visible = new Set(data.employees.filter((e) => e.businessEstablishmentId === geneva.id).map((e) => e.id))
      assert.isAbove(visible.size, 0)
      assert.isBelow(visible.size, data.employees.length)

      const employees = yield* get("/lucca-api/employees?limit=100&include=totalCount", token)
      assert.strictEqual(employees.body.totalCount, visible.size)
      for (const employee of employees.body.items) {
        assert.strictEqual(employee.businessEstablishment.id, geneva.id)
      }
      const outsider = data.employees.find((e) => !visible.has(e.id))!
      assert.strictEqual((yield* get(`/lucca-api/employees/${outsider.id}`, token)).status, 404)

      const leaves = yield* get("/lucca-api/leaves?limit=100", token)
      assert.isAbove(leaves.body.items.length, 0)
      for (const leave of leaves.body.items) assert.isTrue(visible.has(leave.employee.id))
      const hiddenLeave = data.leaves.find((l) => !visible.has(l.employeeId))!
      assert.strictEqual((yield* get(`/lucca-api/leaves/${hiddenLeave.id}`, token)).status, 404)

      const requests = yield* get("/lucca-api/leave-requests?limit=100", token)
      for (const request of requests.body.items) assert.isTrue(visible.has(request.employee.id))

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

  it.effect("limit defaults to 25 and must be between 1 and 100", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      assert.strictEqual((yield* get("/lucca-api/employees", token)).body.items.length, 25)
      assert.strictEqual((yield* get("/lucca-api/employees?limit=100", token)).body.items.length, 100)
      for (const limit of ["101", "0", "-1", "ten"]) {
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
      assert.strictEqual((yield* get(`/lucca-api/leaves?page=${cursor}`, token)).status, 400)
      assert.strictEqual((yield* get(`/lucca-api/employees?page=${cursor}`, token)).status, 200)
    }).pipe(withFake()))

  it.effect("include only adds the parts asked for", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const total = yield* get("/lucca-api/employees?include=totalCount", token)
      assert.deepStrictEqual(Object.keys(total.body), ["type", "url", "items", "totalCount"])
      const embedded = yield* get("/lucca-api/employees?limit=5&include=embedded", token)
      assert.deepStrictEqual(Object.keys(embedded.body), ["type", "url", "items", "embedded"])
      const department = embedded.body.items[0].department
      assert.strictEqual(embedded.body.embedded.departments[department.id].url, department.url)
      assert.isString(embedded.body.embedded.departments[department.id].name)
    }).pipe(withFake()))
})

describe("Api-Version", () => {
  it.effect("a missing header gets the default version, echoed in the response", () =>
    Effect.gen(function*() {
      const token = yield* getToken()
      const { headers } = yield* get("/lucca-api/departments", token)
      assert.strictEqual(headers["api-version"], FakeLucca.defaultApiVersion)
      assert.strictEqual(headers["api-version"], "2024-11-01")
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

describe("POST /lucca-api/leaves", () => {
  const create = (token: string, body: unknown) =>
    send(
      HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/lucca-api/leaves`).pipe(
        HttpClientRequest.bearerToken(token),
        HttpClientRequest.bodyUnsafeJson(body)
      )
    )
  const valid = { employee: { id: "1003" }, leaveType: "paid-leave", startsOn: "1971-03-01", endsOn: "1971-03-05" }

  it.effect("needs leaves.readwrite", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "leaves.readonly" })
      const { status } = yield* create(token, valid)
      assert.strictEqual(status, 403)
    }).pipe(withFake()))

  it.effect("creates a leave: 201 with the resource, then served like the others", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "leaves.readwrite" })
      const { body, headers, status } = yield* create(token, { ...valid, comment: "Conference" })
      assert.strictEqual(status, 201)
      assert.strictEqual(body.type, "leaves")
      assert.strictEqual(body.employee.id, "1003")
      assert.strictEqual(body.durationInDays, 5)
      assert.strictEqual(body.comment, "Conference")
      assert.strictEqual(body.leaveRequest, null)
      assert.strictEqual(headers.location, body.url)
      const read = yield* get(`/lucca-api/leaves/${body.id}`, token)
      assert.deepStrictEqual(read.body, body)
      const fake = yield* FakeLucca.FakeLucca
      assert.isTrue((yield* fake.data()).leaves.some((l) => l.id === body.id))
      // the same days again overlap the new leave
      const overlap = yield* create(token, valid)
      assert.strictEqual(overlap.status, 400)
      assert.isArray(overlap.body.errors.startsOn)
    }).pipe(withFake()))

  it.effect("bad input gets 400 problem+json with errors by field and extensions.traceId", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ scope: "leaves.readwrite" })
      // the HttpClient propagates the caller's trace in `traceparent`: the problem echoes its id
      const { body, headers, span, status } = yield* Effect.gen(function*() {
        const span = yield* Effect.currentSpan
        const answer = yield* create(token, { employee: {}, leaveType: "holiday", startsOn: "2024-02-30" })
        return { ...answer, span }
      }).pipe(Effect.withSpan("create a leave"))
      assert.strictEqual(status, 400)
      assert.strictEqual(headers["content-type"], "application/problem+json")
      problemShape(body, 400)
      assert.deepStrictEqual(Object.keys(body.errors).sort(), ["employee.id", "endsOn", "leaveType", "startsOn"])
      for (const messages of Object.values(body.errors)) assert.isAbove((messages as Array<string>).length, 0)
      assert.strictEqual(body.extensions.traceId, span.traceId)

      const reversed = yield* create(token, { ...valid, startsOn: "1971-03-05", endsOn: "1971-03-01" })
      assert.deepStrictEqual(Object.keys(reversed.body.errors), ["endsOn"])
      const stranger = yield* create(token, { ...valid, employee: { id: "42" } })
      assert.deepStrictEqual(Object.keys(stranger.body.errors), ["employee.id"])
      const text = yield* send(
        HttpClientRequest.post(`${FakeLucca.defaultAccountUrl}/lucca-api/leaves`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyText("employee=1003")
        )
      )
      assert.strictEqual(text.status, 415)
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
          [`${FakeLucca.defaultAccountUrl}/lucca-api/leaves`, "POST"]
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
