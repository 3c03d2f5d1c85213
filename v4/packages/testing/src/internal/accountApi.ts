import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import type { ConnectionDropped } from "../FakeLuccaError.js"
import * as ApiVersion from "./apiVersion.js"
import * as Data from "./data.js"
import * as Dates from "./dates.js"
import * as Etag from "./etag.js"
import * as Faults from "./faults.js"
import * as Operations from "./operations.js"
import * as Pagination from "./pagination.js"
import * as Problem from "./problem.js"
import * as Query from "./query.js"
import * as RateLimit from "./rateLimit.js"
import * as Resources from "./resources.js"
import * as Scopes from "./scopes.js"
import * as State from "./state.js"
import * as Webhooks from "./webhooks.js"

/** Everything a route needs to know about the authenticated request. */
class ApiRequest extends Context.Service<ApiRequest, {
  readonly state: State.State
  readonly account: State.AccountState
  readonly caller: State.Caller
  /** The absolute URL as the client sent it (its origin is the account host). */
  readonly url: URL
  readonly traceId: string
  /** The parameters of the route's path template, such as `id`. */
  readonly params: Readonly<Record<string, string | undefined>>
}>()("@effect-lucca/testing/internal/ApiRequest") {}

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
const json = (
  body: unknown,
  options?: {
    readonly status?: number
    readonly headers?: Record<string, string>
    readonly contentType?: string
  }
) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const text = JSON.stringify(body)
    const etag = Etag.of(text)
    const status = options?.status ?? 200
    if (status === 200 && Etag.matches(request.headers["if-none-match"], etag)) {
      return HttpServerResponse.empty({ status: 304, headers: { etag } })
    }
    return HttpServerResponse.text(text, {
      status,
      contentType: `${options?.contentType ?? "application/json"}; charset=utf-8`,
      headers: { ...options?.headers, etag }
    })
  })

/** A binary body with its `ETag`, under the same `If-None-Match` rule. */
const binary = (bytes: Uint8Array, contentType: string) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const etag = Etag.of(Base64.encode(bytes))
    if (Etag.matches(request.headers["if-none-match"], etag)) {
      return HttpServerResponse.empty({ status: 304, headers: { etag } })
    }
    return HttpServerResponse.uint8Array(bytes, { contentType, headers: { etag } })
  })

const currentView = Effect.gen(function*() {
  const { account, caller, url } = yield* ApiRequest
  const data = yield* Ref.get(account.data)
  return { data, view: Resources.view(data, new Set(caller.application.businessEstablishmentIds), url.origin) }
})

/** The `type` under which `include=embedded` files a reference: an event reference's `type` is its topic. */
const embedType = (field: string, reference: { readonly type: string }) => field === "event" ? "event" : reference.type

/** The resources the given items reference, among the types the operation may embed, by type then id. */
const embeddedOf = (
  operation: Operations.Operation,
  items: ReadonlyArray<FakeLuccaData.Resource>,
  view: Resources.View
): Record<string, Record<string, unknown>> => {
  const embedded: Record<string, Record<string, unknown>> = {}
  const embeds = new Set(operation.embeds)
  for (const item of items) {
    for (const [field, value] of Object.entries(item)) {
      for (const candidate of Array.isArray(value) ? value : [value]) {
        if (candidate === null || typeof candidate !== "object" || typeof candidate.id !== "string") continue
        if (typeof candidate.type !== "string" || field === "url") continue
        const type = embedType(field, candidate)
        if (!embeds.has(type)) continue
        const target = view.lookup(type, candidate.id)
        if (target !== undefined) (embedded[type] ??= {})[target.id] = view.render(withoutLinks(target))
      }
    }
  }
  return embedded
}

const withoutLinks = ({ links: _links, ...resource }: FakeLuccaData.Resource): FakeLuccaData.Resource => resource

/** The representation of one resource: `links` and `embedded` come only when asked for. */
const representation = (
  operation: Operations.Operation,
  resource: FakeLuccaData.Resource,
  include: Pagination.Include,
  view: Resources.View
): Record<string, unknown> => {
  const body = view.render(include.links ? resource : withoutLinks(resource)) as Record<string, unknown>
  if (include.embedded) body.embedded = embeddedOf(operation, [resource], view)
  return body
}

/** A stable UUID for an event id, as CloudEvents ids are UUIDs in the description. */
const uuidOf = (id: string) => `00000000-0000-4000-8000-${id.replace(/\D/g, "").padStart(12, "0").slice(-12)}`

/** An event as a CloudEvents 1.0 record, as `Accept: application/cloudevents-batch+json` asks. */
const cloudEvent = (event: FakeLuccaData.Resource, data: FakeLuccaData.DataSet, origin: string) => {
  const deliveries = data.resources["webhook-deliveries"].filter((d) => (d.event as { id: string }).id === event.id)
  const attempts = data.resources["webhook-delivery-attempts"].filter((a) =>
    deliveries.some((d) => d.id === (a.webhookDelivery as { id: string }).id)
  )
  const times = attempts.map((a) => a.createdAt as string).sort()
  const collection = Resources.collectionOf.get((event.data as { type?: string }).type ?? "") ?? "events"
  return {
    specversion: "1.0.3",
    id: uuidOf(event.id),
    type: `com.luccasoftware.${event.topic as string}`,
    source: `${origin}/lucca-api/${collection}`,
    time: event.occurredAt,
    ...(times.length > 0
      ? {
        comluccasoftwarefirstdeliverytime: times[0],
        comluccasoftwarelatestdeliverytime: times[times.length - 1],
        comluccasoftwaredeliveriescount: attempts.length
      }
      : {}),
    ...(deliveries.length > 0
      ? {
        comluccasoftwarewebhookendpointwebhookendpointid: (deliveries[0].webhookEndpoint as { id: string }).id,
        comluccasoftwarewebhookendpointurl: data.resources["webhook-endpoints"].find((e) =>
          e.id === (deliveries[0].webhookEndpoint as { id: string }).id
        )?.webhookUrl as string
      }
      : {})
  }
}

/** Filters whose meaning is not a field of the resource. */
const customFilter = (data: FakeLuccaData.DataSet, operation: Operations.Operation) =>
(
  filter: Operations.Filter,
  values: ReadonlyArray<string>
): Query.Predicate | undefined => {
  switch (`${operation.collection} ${filter.name}`) {
    case "probationary-periods isExtended":
      return (resource) => (resource.extendedEndsOn !== null) === (values[0] === "true")
    case "webhook-endpoints application.id":
      return (resource) => data.webhookEndpointOwners.get(resource.id) === values[0]
    case "events status":
      // an event's status is that of its webhook deliveries: delivered, failed, or still scheduled
      return (resource) => {
        const statuses = data.resources["webhook-deliveries"]
          .filter((d) => (d.event as { id: string }).id === resource.id)
          .map((d) => d.status === "undelivered" ? "scheduled" : d.status)
        return statuses.includes(values[0])
      }
    default:
      return undefined
  }
}

const accepts = (accept: string | undefined, mediaType: string) =>
  accept !== undefined && accept.split(",").some((part) => part.split(";")[0].trim().toLowerCase() === mediaType)

const list = (operation: Operations.Operation) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const server = yield* HttpServerRequest.HttpServerRequest
    const params = request.url.searchParams
    const limit = Pagination.parseLimit(params.getAll("limit"))
    if (Result.isFailure(limit)) return badRequest(request, { limit: [limit.failure] })
    const pages = params.getAll("page")
    if (pages.length > 1) return badRequest(request, { page: ["page must be given once."] })
    let offset = 0
    if (pages.length === 1) {
      const decoded = Pagination.decodeCursor(request.account.cursorKey, operation.collection, pages[0])
      if (Result.isFailure(decoded)) return badRequest(request, { page: [decoded.failure] })
      offset = decoded.success
    }
    const include = Pagination.parseInclude(params.getAll("include"))
    if (Result.isFailure(include)) return badRequest(request, { include: [include.failure] })
    const { data, view } = yield* currentView
    const predicates = Query.predicates(operation, params, view.lookup, customFilter(data, operation))
    if (Result.isFailure(predicates)) return badRequest(request, predicates.failure)
    const order = Query.sorter(operation, params, view.lookup)
    if (Result.isFailure(order)) return badRequest(request, { sort: [order.failure] })

    const all = view.list(operation.collection as FakeLuccaData.Collection)
      .filter((r) => predicates.success.every((p) => p(r)))
      .slice()
      .sort(order.success)
    const items = all.slice(offset, offset + limit.success)

    if (operation.collection === "events" && accepts(server.headers.accept, "application/cloudevents-batch+json")) {
      return yield* json(items.map((event) => cloudEvent(event, data, request.url.origin)), {
        contentType: "application/cloudevents-batch+json"
      })
    }

    const body: Record<string, unknown> = {
      type: operation.collection,
      url: request.url.href,
      items: items.map((item) => representation(operation, item, { ...include.success, embedded: false }, view))
    }
    if (include.success.totalCount) body.totalCount = all.length
    if (include.success.links) {
      const cursor = (at: number) =>
        at <= 0 ? undefined : Pagination.encodeCursor(request.account.cursorKey, operation.collection, at)
      const step = Math.max(limit.success, 1)
      body.links = {
        prev: offset > 0 ? { href: Pagination.withPage(request.url, cursor(offset - step)) } : null,
        next: offset + step < all.length && limit.success > 0
          ? { href: Pagination.withPage(request.url, cursor(offset + step)) }
          : null
      }
    }
    if (include.success.embedded) body.embedded = embeddedOf(operation, items, view)
    return yield* json(body)
  })

/** A tiny valid PNG (one grey pixel) standing for every portrait's picture. */
const portraitPng = Base64.decode(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="
).pipe(Result.getOrThrow)

const item = (operation: Operations.Operation) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const server = yield* HttpServerRequest.HttpServerRequest
    const { id } = request.params
    const include = Pagination.parseInclude(request.url.searchParams.getAll("include"))
    if (Result.isFailure(include)) return badRequest(request, { include: [include.failure] })
    const { view } = yield* currentView
    const resource = id === undefined ? undefined : view.get(operation.collection as FakeLuccaData.Collection, id)
    if (resource === undefined) {
      return Problem.make({
        status: 404,
        instance: request.url.pathname,
        detail: `No ${operation.itemType} has id '${id}'.`
      })
    }
    // the description answers a portrait as JSON (its metadata) or as application/octet-stream (the picture)
    if (operation.collection === "portraits") {
      for (const mediaType of ["application/octet-stream", resource.contentType as string]) {
        if (accepts(server.headers.accept, mediaType)) return yield* binary(portraitPng, mediaType)
      }
    }
    return yield* json(representation(operation, resource, include.success, view))
  })

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * Lucca requires `https://`. The emulator also takes `http://` on a loopback host, so that
 * it can deliver to a receiver under test without a certificate.
 */
const Https = Schema.String.check(
  Schema.makeFilter((s) => {
    if (!URL.canParse(s)) return false
    const url = new URL(s)
    return url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname))
  }, { message: "must be an https URL" })
)

const ApiVersionDate = Schema.String.check(
  Schema.makeFilter((s) => Dates.isoDateToDay(s) !== undefined, { message: "must be a date formatted YYYY-MM-DD" })
)

/** The body of `POST /lucca-api/webhook-endpoints` (the writable fields of `webhook-endpoint`). */
const CreateWebhookEndpoint = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1, { message: "must not be empty" })),
  webhookUrl: Https,
  apiVersion: ApiVersionDate,
  topics: Schema.Array(Schema.String),
  businessEstablishments: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({ id: Schema.String })))),
  status: Schema.optional(Schema.Literals(["active", "suspended", "inactive"]))
})

const decodeCreateWebhookEndpoint = Schema.decodeUnknownResult(CreateWebhookEndpoint, {
  errors: "all",
  onExcessProperty: "error"
})

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const fieldErrors = (error: Schema.SchemaError): Record<string, Array<string>> => {
  const errors: Record<string, Array<string>> = {}
  for (const issue of formatter(error.issue).issues) {
    const path = (issue.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
    )
    const field = path.length === 0 ? "body" : path.map(String).join(".")
    ;(errors[field] ??= []).push(issue.message)
  }
  return errors
}

/** The JSON body of a POST; an empty body is `undefined`, anything but JSON a 415. */
const jsonBody = Effect.gen(function*() {
  const request = yield* ApiRequest
  const server = yield* HttpServerRequest.HttpServerRequest
  const text = yield* Effect.orElseSucceed(server.text, () => "")
  if (text.trim() === "") return Result.succeed<unknown>(undefined)
  const mediaType = server.headers["content-type"]?.split(";")[0].trim().toLowerCase()
  if (mediaType !== "application/json") {
    return Result.fail(Problem.make({
      status: 415,
      instance: request.url.pathname,
      detail: "The request body must be application/json."
    }))
  }
  try {
    return Result.succeed<unknown>(JSON.parse(text))
  } catch {
    return Result.fail(badRequest(request, { body: ["The body is not valid JSON."] }))
  }
})

const nextId = (items: ReadonlyArray<FakeLuccaData.Resource>, floor: number) =>
  String(items.reduce((max, r) => Math.max(max, Number(r.id) || 0), floor) + 1)

const createWebhookEndpoint = (operation: Operations.Operation) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const body = yield* jsonBody
    if (Result.isFailure(body)) return body.failure
    const decoded = decodeCreateWebhookEndpoint(body.success)
    if (Result.isFailure(decoded)) return badRequest(request, fieldErrors(decoded.failure))
    const input = decoded.success
    const { view } = yield* currentView
    const unknownEstablishments = (input.businessEstablishments ?? []).filter((e) =>
      view.get("business-establishments", e.id) === undefined
    )
    if (unknownEstablishments.length > 0) {
      return badRequest(request, {
        businessEstablishments: unknownEstablishments.map((e) => `No business-establishment has id '${e.id}'.`)
      })
    }
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    const created = yield* Ref.modify(request.account.data, (data): [FakeLuccaData.Resource, FakeLuccaData.DataSet] => {
      const id = nextId(data.resources["webhook-endpoints"], 10000)
      const endpoint: FakeLuccaData.Resource = {
        id,
        type: "webhook-endpoint",
        url: `/lucca-api/webhook-endpoints/${id}`,
        name: input.name,
        apiVersion: input.apiVersion,
        webhookUrl: input.webhookUrl,
        topics: input.topics,
        businessEstablishments: input.businessEstablishments === undefined || input.businessEstablishments === null
          ? null
          : input.businessEstablishments.map((e) =>
            Data.ref("business-establishments", "business-establishment", e.id)
          ),
        // active once it answers the activation challenge, below
        status: input.status ?? "inactive",
        createdAt: now,
        lastUpdatedAt: now,
        links: {}
      }
      return [endpoint, {
        ...data,
        resources: { ...data.resources, "webhook-endpoints": [...data.resources["webhook-endpoints"], endpoint] },
        webhookEndpointOwners: new Map(data.webhookEndpointOwners).set(id, request.caller.application.clientId)
      }]
    })
    // the secret that signs deliveries, shown once: it is not part of the stored endpoint
    const secret = yield* Webhooks.newSecret(request.state, request.account.name, created.id)
    if (input.status === undefined) yield* Webhooks.activate(request.state, request.account, created.id)
    const activated = (yield* Ref.get(request.account.data)).resources["webhook-endpoints"].find((e) =>
      e.id === created.id
    )!
    const rendered = representation(operation, activated, { embedded: false, links: true, totalCount: false }, view)
    return yield* json({ ...rendered, secret: Redacted.value(secret) }, {
      status: 201,
      headers: { location: rendered.url as string }
    })
  })

/** `POST /lucca-api/webhook-deliveries?webhookEndpoint.id=…`: a `ping` event sent to the endpoint. */
const createWebhookDelivery = (operation: Operations.Operation) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const body = yield* jsonBody
    if (Result.isFailure(body)) return body.failure
    const fromBody = (body.success as { webhookEndpoint?: { id?: unknown } } | undefined)?.webhookEndpoint?.id
    const endpointId = request.url.searchParams.get("webhookEndpoint.id") ?? (typeof fromBody === "string"
      ? fromBody
      : null)
    if (endpointId === null || endpointId === "") {
      return badRequest(request, { "webhookEndpoint.id": ["webhookEndpoint.id is required."] })
    }
    const topic = request.url.searchParams.get("event.topic") ?? "ping"
    if (topic !== "ping") return badRequest(request, { "event.topic": [`must be ping, got '${topic}'`] })
    const { view } = yield* currentView
    if (view.get("webhook-endpoints", endpointId) === undefined) {
      return badRequest(request, { "webhookEndpoint.id": [`No webhook-endpoint has id '${endpointId}'.`] })
    }
    const raised = yield* Webhooks.raise(request.state, request.account, { topic, data: {}, endpointId })
    const created = (yield* Ref.get(request.account.data)).resources["webhook-deliveries"].find((d) =>
      d.id === raised.deliveryIds[0]
    )!
    const after = (yield* currentView).view
    const include = Pagination.parseInclude(request.url.searchParams.getAll("include"))
    const rendered = representation(
      operation,
      created,
      Result.getOrElse(include, () => ({ embedded: false, links: true, totalCount: false })),
      after
    )
    return yield* json(rendered, { status: 201, headers: { location: rendered.url as string } })
  })

const deprecationHeaders = (deprecation: State.DeprecationRecord): Record<string, string> => ({
  // RFC 9745: a structured-field date, seconds since the epoch
  deprecation: `@${Math.floor(deprecation.deprecatedAt.getTime() / 1000)}`,
  ...(deprecation.sunset !== undefined ? { sunset: deprecation.sunset.toUTCString() } : {}),
  ...(deprecation.link !== undefined ? { link: `<${deprecation.link}>; rel="deprecation"` } : {})
})

/**
 * The scope check of an operation, exactly as its `security` in the description: one of
 * the accepted scopes, or a 403 that names none (Lucca's does not). Then deprecation headers.
 */
const guard = <E, R>(
  operation: Operations.Operation,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  Effect.gen(function*() {
    const request = yield* ApiRequest
    const response = Scopes.allows(request.caller.scopes, operation)
      ? yield* handler
      : Problem.make({
        status: 403,
        instance: request.url.pathname,
        detail: "You do not have the required OAuth scopes."
      })
    const deprecation = (yield* Ref.get(request.state.settings)).deprecations.get(operation.collection)
    return deprecation === undefined
      ? response
      : HttpServerResponse.setHeaders(response, deprecationHeaders(deprecation))
  })

const handlerOf = (operation: Operations.Operation) => {
  switch (operation.kind) {
    case "list":
      return list(operation)
    case "item":
      return item(operation)
    case "create":
      return operation.collection === "webhook-endpoints"
        ? createWebhookEndpoint(operation)
        : createWebhookDelivery(operation)
  }
}

/** One route per operation: its method, its path template as a pattern with named groups, its handler. */
const routes = Operations.operations.map((operation) => ({
  method: operation.method,
  pattern: new RegExp(`^${operation.path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`),
  handler: guard(operation, handlerOf(operation))
}))

/** The route of a request (`HEAD` is served as `GET`), with the parameters of its path. */
const route = (method: string, pathname: string) => {
  const asked = method === "HEAD" ? "GET" : method
  for (const candidate of routes) {
    if (candidate.method !== asked) continue
    const match = candidate.pattern.exec(pathname)
    if (match === null) continue
    const params: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      params[name] = value === undefined ? undefined : decodeURIComponent(value)
    }
    return { handler: candidate.handler, params }
  }
  return undefined
}

/** The methods each path template takes, for 405 answers. */
const allowed: ReadonlyArray<{ readonly pattern: RegExp; readonly methods: ReadonlyArray<string> }> = [
  ...new Set(Operations.operations.map((o) => o.path))
].map((path) => ({
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
  methods: Operations.operations.filter((o) => o.path === path).map((o) => o.method)
}))

const notFound = (url: URL) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    // a served path asked with another method: 405 with the methods it takes
    const served = allowed.find((a) => a.pattern.test(url.pathname))
    if (served !== undefined) {
      const allow = [...served.methods, ...(served.methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ")
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
    if (Result.isFailure(version)) {
      return badRequest({ url, traceId }, { "Api-Version": [version.failure] }, version.failure)
    }
    const withVersion = HttpServerResponse.setHeader("api-version", version.success)

    const caller = yield* State.authenticate(state, bearer(request.headers.authorization), account.name)
    if (Result.isFailure(caller)) {
      return withVersion(Problem.make({
        status: 401,
        instance: url.pathname,
        detail: caller.failure,
        // RFC 6750 §3; no scope is ever named
        headers: {
          "www-authenticate": request.headers.authorization === undefined
            ? "Bearer realm=\"Lucca\""
            : "Bearer realm=\"Lucca\", error=\"invalid_token\""
        }
      }))
    }

    const found = route(request.method, url.pathname)
    const response = found === undefined ? yield* notFound(url) : yield* found.handler.pipe(
      Effect.provideService(ApiRequest, { state, account, caller: caller.success, url, traceId, params: found.params })
    )
    return withVersion(response)
  })
