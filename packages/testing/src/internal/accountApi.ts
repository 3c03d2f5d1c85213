import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import type { ConnectionDropped } from "../FakeLuccaError.js"
import * as ApiVersion from "./apiVersion.js"
import * as Data from "./data.js"
import * as Dates from "./dates.js"
import * as Etag from "./etag.js"
import * as Faults from "./faults.js"
import * as Pagination from "./pagination.js"
import * as Problem from "./problem.js"
import * as RateLimit from "./rateLimit.js"
import * as Resources from "./resources.js"
import * as Scopes from "./scopes.js"
import * as State from "./state.js"

/** Everything a route needs to know about the authenticated request. */
class ApiRequest extends Context.Tag("@effect-lucca/testing/internal/ApiRequest")<ApiRequest, {
  readonly state: State.State
  readonly account: State.AccountState
  readonly caller: State.Caller
  /** The absolute URL as the client sent it (its origin is the account host). */
  readonly url: URL
  readonly traceId: string
}>() {}

const badRequest = (
  request: { readonly url: URL; readonly traceId: string },
  errors: Record<string, ReadonlyArray<string>>,
  detail?: string
) =>
  Problem.make({
    status: 400,
    instance: request.url.pathname,
    detail: detail ?? "One or more validation errors occurred.",
    errors,
    traceId: request.traceId
  })

/**
 * W3C `traceparent` or B3 trace id when the client sent one, so that a test can match
 * a 400 to its own trace; a random one otherwise.
 */
const traceIdOf = (headers: Readonly<Record<string, string | undefined>>): string => {
  const traceparent = headers.traceparent && /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    headers.traceparent.trim()
  )
  if (traceparent) return traceparent[1]
  const b3 = headers.b3 && /^([0-9a-f]{16}|[0-9a-f]{32})-/.exec(headers.b3.trim())
  if (b3) return b3[1]
  if (headers["x-b3-traceid"] && /^([0-9a-f]{16}|[0-9a-f]{32})$/.test(headers["x-b3-traceid"])) {
    return headers["x-b3-traceid"]
  }
  return State.randomHex(16)
}

/** A JSON body with its `ETag`; `If-None-Match` on a GET may turn it into a 304. */
const json = (body: unknown, options?: { readonly status?: number; readonly headers?: Record<string, string> }) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const text = JSON.stringify(body)
    const etag = Etag.of(text)
    const status = options?.status ?? 200
    if (status === 200 && Etag.matches(request.headers["if-none-match"], etag)) {
      return HttpServerResponse.empty({ status: 304, headers: { etag } })
    }
    return HttpServerResponse.text(text, {
      status,
      contentType: "application/json; charset=utf-8",
      headers: { ...options?.headers, etag }
    })
  })

const currentView = Effect.gen(function*() {
  const { account, caller, url } = yield* ApiRequest
  const data = yield* Ref.get(account.data)
  return Resources.view(data, new Set(caller.application.businessEstablishmentIds), url.origin)
})

const list = (type: Scopes.Resource) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const params = request.url.searchParams
    const limit = Pagination.parseLimit(params.getAll("limit"))
    if (Either.isLeft(limit)) return badRequest(request, { limit: [limit.left] })
    const pages = params.getAll("page")
    if (pages.length > 1) return badRequest(request, { page: ["page must be given once."] })
    let offset = 0
    if (pages.length === 1) {
      const decoded = Pagination.decodeCursor(request.account.cursorKey, type, pages[0])
      if (Either.isLeft(decoded)) return badRequest(request, { page: [decoded.left] })
      offset = decoded.right
    }
    const include = Pagination.parseInclude(params.getAll("include"))
    const view = yield* currentView
    const all = view.list(type)
    const items = all.slice(offset, offset + limit.right)

    const body: Record<string, unknown> = { type, url: request.url.href, items }
    if (include.totalCount) body.totalCount = all.length
    if (include.links) {
      const cursor = (at: number) => at <= 0 ? undefined : Pagination.encodeCursor(request.account.cursorKey, type, at)
      body.links = {
        prev: offset > 0 ? { href: Pagination.withPage(request.url, cursor(offset - limit.right)) } : null,
        next: offset + limit.right < all.length
          ? { href: Pagination.withPage(request.url, cursor(offset + limit.right)) }
          : null
      }
    }
    if (include.embedded) {
      const embedded: Record<string, Record<string, Resources.Json>> = {}
      for (const item of items) {
        for (const ref of Resources.referencesOf(item)) {
          const resource = view.get(ref.type, ref.id)
          if (resource !== undefined) (embedded[ref.type] ??= {})[ref.id] = resource
        }
      }
      body.embedded = embedded
    }
    return yield* json(body)
  })

const item = (type: Scopes.Resource) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const { id } = yield* HttpRouter.params
    const view = yield* currentView
    const resource = id === undefined ? undefined : view.get(type, id)
    if (resource === undefined) {
      return Problem.make({ status: 404, instance: request.url.pathname, detail: `No ${type} has id '${id}'.` })
    }
    return yield* json(resource)
  })

const IsoDate = Schema.String.pipe(
  Schema.filter((s) => Dates.isoDateToDay(s) !== undefined, { message: () => "must be a date formatted YYYY-MM-DD" })
)

/** The body of `POST /lucca-api/leaves`. */
const CreateLeave = Schema.Struct({
  employee: Schema.Struct({ id: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })) }),
  leaveType: Schema.Literal(...Data.leaveTypes),
  startsOn: IsoDate,
  endsOn: IsoDate,
  comment: Schema.optional(Schema.NullOr(Schema.String))
})

const decodeCreateLeave = Schema.decodeUnknownEither(CreateLeave, { errors: "all" })

const fieldErrors = (error: ParseResult.ParseError): Record<string, Array<string>> => {
  const errors: Record<string, Array<string>> = {}
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const field = issue.path.length === 0 ? "body" : issue.path.map(String).join(".")
    ;(errors[field] ??= []).push(issue.message)
  }
  return errors
}

const createLeave = Effect.gen(function*() {
  const request = yield* ApiRequest
  const server = yield* HttpServerRequest.HttpServerRequest
  const mediaType = server.headers["content-type"]?.split(";")[0].trim().toLowerCase()
  if (mediaType !== "application/json") {
    return Problem.make({
      status: 415,
      instance: request.url.pathname,
      detail: "The request body must be application/json."
    })
  }
  const body = yield* Effect.either(server.json)
  if (Either.isLeft(body)) return badRequest(request, { body: ["The body is not valid JSON."] })
  const decoded = decodeCreateLeave(body.right)
  if (Either.isLeft(decoded)) return badRequest(request, fieldErrors(decoded.left))
  const input = decoded.right

  const view = yield* currentView
  if (!view.visibleEmployee(input.employee.id)) {
    return badRequest(request, { "employee.id": [`No employee has id '${input.employee.id}'.`] })
  }
  const start = Dates.isoDateToDay(input.startsOn)!
  const end = Dates.isoDateToDay(input.endsOn)!
  if (end < start) return badRequest(request, { endsOn: ["must be on or after startsOn"] })
  const durationInDays = Dates.businessDaysBetween(start, end)
  if (durationInDays === 0) return badRequest(request, { endsOn: ["the leave must include a working day"] })

  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  const created = yield* Ref.modify(request.account.data, (
    data
  ): [Option.Option<FakeLuccaData.Leave>, FakeLuccaData.DataSet] => {
    const overlapping = data.leaves.some((l) =>
      l.employeeId === input.employee.id &&
      Dates.isoDateToDay(l.startsOn)! <= end && start <= Dates.isoDateToDay(l.endsOn)!
    )
    if (overlapping) return [Option.none(), data]
    const leave: FakeLuccaData.Leave = {
      id: String(data.leaves.reduce((max, l) => Math.max(max, Number(l.id)), 30000) + 1),
      employeeId: input.employee.id,
      leaveRequestId: null,
      leaveType: input.leaveType,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      durationInDays,
      status: "approved",
      comment: input.comment ?? null,
      createdAt: now,
      lastUpdatedAt: now
    }
    return [Option.some(leave), { ...data, leaves: [...data.leaves, leave] }]
  })
  if (Option.isNone(created)) {
    return badRequest(request, { startsOn: ["the employee already has a leave on these dates"] })
  }
  const resource = (yield* currentView).get("leaves", created.value.id)!
  return yield* json(resource, { status: 201, headers: { location: resource.url as string } })
})

const deprecationHeaders = (deprecation: State.DeprecationRecord): Record<string, string> => ({
  // RFC 9745: a structured-field date, seconds since the epoch
  deprecation: `@${Math.floor(deprecation.deprecatedAt.getTime() / 1000)}`,
  ...(deprecation.sunset !== undefined ? { sunset: deprecation.sunset.toUTCString() } : {}),
  ...(deprecation.link !== undefined ? { link: `<${deprecation.link}>; rel="deprecation"` } : {})
})

/** The scope check of a route (403, with no hint of the missing scope), and deprecation headers. */
const guard = <E, R>(
  type: Scopes.Resource,
  access: Scopes.Access,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const response = Scopes.allows(request.caller.scopes, type, access)
      ? yield* handler
      : Problem.make({
        status: 403,
        instance: request.url.pathname,
        detail: "The access token does not allow this operation."
      })
    const deprecation = (yield* Ref.get(request.state.settings)).deprecations.get(type)
    return deprecation === undefined
      ? response
      : HttpServerResponse.setHeaders(response, deprecationHeaders(deprecation))
  })

const router = Scopes.resources.reduce(
  (router, type) =>
    router.pipe(
      HttpRouter.get(`/lucca-api/${type}`, guard(type, "read", list(type))),
      HttpRouter.get(`/lucca-api/${type}/:id`, guard(type, "read", item(type)))
    ),
  HttpRouter.empty.pipe(HttpRouter.post("/lucca-api/leaves", guard("leaves", "write", createLeave)))
)

const notFound = (url: URL) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const [, , type, id, extra] = url.pathname.split("/")
    // a served path asked with another method: 405 with the methods it takes
    if (extra === undefined && id !== "" && type !== undefined && Scopes.isResource(type)) {
      const allow = id === undefined && type === "leaves" ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS"
      return Problem.make({
        status: 405,
        instance: url.pathname,
        detail: `${request.method} is not allowed here.`,
        headers: { allow }
      })
    }
    return Problem.make({ status: 404, instance: url.pathname, detail: "No such resource." })
  })

const bearer = (authorization: string | undefined): string | undefined => {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match === null ? undefined : match[1]
}

/**
 * The account API: faults, rate limit, `Api-Version`, authentication, then the routes.
 * Every answer is counted by status.
 *
 * @internal
 */
export const handle = (
  state: State.State,
  account: State.AccountState,
  url: URL
): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionDropped, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const fault = yield* Faults.apply(state, "api", url.pathname).pipe(
      Effect.tapError(() => State.recordApi(state, "dropped"))
    )
    const response = Option.isSome(fault) ? fault.value : yield* serve(state, account, url, request)
    yield* State.recordApi(state, response.status)
    yield* Effect.logDebug("api request").pipe(
      Effect.annotateLogs({ method: request.method, path: url.pathname, status: response.status })
    )
    return response
  })

const serve = (
  state: State.State,
  account: State.AccountState,
  url: URL,
  request: HttpServerRequest.HttpServerRequest
) =>
  Effect.gen(function*() {
    const settings = yield* Ref.get(state.settings)
    if (Option.isSome(settings.rateLimit)) {
      const now = yield* Clock.currentTimeMillis
      const { requests, windowMillis } = settings.rateLimit.value
      const decision = yield* Ref.modify(account.rateWindow, (window) => {
        const decision = RateLimit.decide(window, now, requests, windowMillis)
        return [decision, decision._tag === "Allowed" ? decision.window : window]
      })
      if (decision._tag === "Limited") {
        return Problem.make({
          status: 429,
          instance: url.pathname,
          detail: `The account is limited to ${requests} requests per window; retry later.`,
          headers: { "retry-after": String(decision.retryAfterSeconds) }
        })
      }
    }

    const traceId = traceIdOf(request.headers)
    const version = ApiVersion.resolve(request.headers["api-version"])
    if (Either.isLeft(version)) {
      return badRequest({ url, traceId }, { "Api-Version": [version.left] }, version.left)
    }
    const withVersion = HttpServerResponse.setHeader("api-version", version.right)

    const caller = yield* State.authenticate(state, bearer(request.headers.authorization), account.name)
    if (Either.isLeft(caller)) {
      return withVersion(Problem.make({
        status: 401,
        instance: url.pathname,
        detail: caller.left,
        // RFC 6750 §3; no scope is ever named
        headers: {
          "www-authenticate": request.headers.authorization === undefined
            ? "Bearer realm=\"Lucca\""
            : "Bearer realm=\"Lucca\", error=\"invalid_token\""
        }
      }))
    }

    const response = yield* router.pipe(
      Effect.catchTag("RouteNotFound", () => notFound(url)),
      Effect.provideService(ApiRequest, { state, account, caller: caller.right, url, traceId })
    )
    return withVersion(response)
  })
