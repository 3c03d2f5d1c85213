import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as Base64Url from "effect/encoding/Base64Url"
import * as FiberSet from "effect/FiberSet"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import { FakeLuccaError } from "../FakeLuccaError.js"
import type * as FakeLuccaWebhooks from "../FakeLuccaWebhooks.js"
import * as Data from "./data.js"
import * as Operations from "./operations.js"
import * as Resources from "./resources.js"
import type * as State from "./state.js"

/**
 * Lucca: "at most 5 attempts over about 24 hours"; the delays are not documented. These
 * put the fifth attempt 24 hours after the first.
 *
 * @internal
 */
export const retryDelays: ReadonlyArray<Duration.Duration> = [
  Duration.minutes(1),
  Duration.minutes(10),
  Duration.hours(1),
  Duration.sum(Duration.hours(22), Duration.minutes(49))
]

/** Lucca waits 3 s for an answer. @internal */
export const answerTimeout = Duration.seconds(3)

/** What delivers: set while a `FakeLuccaWebhooks` dispatcher runs. @internal */
export interface Dispatcher {
  readonly client: HttpClient.HttpClient
  readonly fibers: FiberSet.FiberSet
}

/** @internal */
export interface WebhookState {
  /** `account/endpointId` to the secret that signs its deliveries. */
  readonly secrets: Ref.Ref<ReadonlyMap<string, Redacted.Redacted<string>>>
  readonly dispatcher: Ref.Ref<Option.Option<Dispatcher>>
}

/** @internal */
export const makeState: Effect.Effect<WebhookState> = Effect.all({
  secrets: Ref.make<ReadonlyMap<string, Redacted.Redacted<string>>>(new Map()),
  dispatcher: Ref.make(Option.none<Dispatcher>())
})

const secretKey = (account: string, endpointId: string) => `${account}/${endpointId}`

const randomSecret = () => Base64Url.encode(globalThis.crypto.getRandomValues(new Uint8Array(48)))

/** A new endpoint's secret, kept so that its deliveries can be signed. @internal */
export const newSecret = (state: State.State, account: string, endpointId: string) =>
  Effect.gen(function*() {
    const secret = Redacted.make(randomSecret())
    yield* Ref.update(state.webhooks.secrets, (m) => new Map(m).set(secretKey(account, endpointId), secret))
    return secret
  })

/** @internal */
export const secretOf = (
  state: State.State,
  account: string,
  endpointId: string
): Effect.Effect<Redacted.Redacted<string>, FakeLuccaError> =>
  Effect.flatMap(Ref.get(state.webhooks.secrets), (secrets) => {
    const secret = secrets.get(secretKey(account, endpointId))
    return secret === undefined
      ? Effect.fail(
        new FakeLuccaError({
          reason: "UnknownWebhookEndpoint",
          description: `Account '${account}' has no webhook endpoint '${endpointId}' created through the API`
        })
      )
      : Effect.succeed(secret)
  })

const utf8 = new TextEncoder()

/**
 * Lucca's documented signature, with Web Crypto: `base64(HMAC-SHA256(secret, timestamp + "." + body))`.
 *
 * @internal
 */
export const sign = (timestamp: string, body: string, secret: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () => {
    const key = await globalThis.crypto.subtle.importKey(
      "raw",
      utf8.encode(Redacted.value(secret)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"]
    )
    const mac = await globalThis.crypto.subtle.sign("HMAC", key, utf8.encode(`${timestamp}.${body}`))
    return Base64.encode(new Uint8Array(mac))
  })

/** UTC ISO 8601 to the second, as Lucca's example: `2025-01-01T08:34:23Z`. */
const timestampOf = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

const nextId = (items: ReadonlyArray<FakeLuccaData.Resource>, floor: number) =>
  String(items.reduce((max, r) => Math.max(max, Number(r.id) || 0), floor) + 1)

const updateResource = (
  account: State.AccountState,
  collection: FakeLuccaData.Collection,
  id: string,
  f: (resource: FakeLuccaData.Resource) => FakeLuccaData.Resource
) =>
  Ref.update(account.data, (data) => ({
    ...data,
    resources: { ...data.resources, [collection]: data.resources[collection].map((r) => r.id === id ? f(r) : r) }
  }))

const findResource = (account: State.AccountState, collection: FakeLuccaData.Collection, id: string) =>
  Effect.map(Ref.get(account.data), (data) => data.resources[collection].find((r) => r.id === id))

/**
 * The activation challenge: `GET webhookUrl?echo=<value>`, which must answer the value.
 * An endpoint that answers it becomes `active`; otherwise `inactive` (or stays
 * `suspended`). Without a running
 * dispatcher there is no one to ask: the endpoint is taken as active.
 *
 * @internal
 */
export const activate = (state: State.State, account: State.AccountState, endpointId: string) =>
  Effect.gen(function*() {
    const endpoint = yield* findResource(account, "webhook-endpoints", endpointId)
    if (endpoint === undefined) return false
    const dispatcher = yield* Ref.get(state.webhooks.dispatcher)
    let answered = true
    if (Option.isSome(dispatcher)) {
      const echo = randomSecret().slice(0, 24)
      const url = new URL(endpoint.webhookUrl as string)
      url.searchParams.set("echo", echo)
      answered = yield* dispatcher.value.client.get(url).pipe(
        Effect.flatMap((response) =>
          response.status >= 200 && response.status < 300
            ? Effect.map(response.text, (text) => text === echo)
            : Effect.succeed(false)
        ),
        Effect.timeout(answerTimeout),
        Effect.scoped,
        // whatever went wrong (even a receiver in memory that died), the challenge failed
        Effect.catchCause((cause) => Cause.hasInterruptsOnly(cause) ? Effect.interrupt : Effect.succeed(false))
      )
    }
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* updateResource(account, "webhook-endpoints", endpointId, (e) => ({
      ...e,
      // a suspended endpoint that still does not answer stays suspended (its events are kept)
      status: answered ? "active" : e.status === "suspended" ? "suspended" : "inactive",
      lastUpdatedAt: now
    }))
    return answered
  })

/** The outcome of one attempt. */
type Outcome =
  | { readonly _tag: "Delivered"; readonly status: number }
  | { readonly _tag: "Gone"; readonly status: number; readonly body: string }
  | { readonly _tag: "Failed"; readonly status: number | undefined; readonly body: string }

/**
 * Lucca retries 400, 401, 429 and 5xx and suspends the endpoint on 404 and 410 (an older
 * page says 400, 401 and 5xx are not retried: the newer one is followed). Statuses the
 * documentation does not name (403, 405, 3xx: redirects are not followed), a transport
 * error and no answer within 3 s are retried too: a receiver fixed within the day gets
 * the event.
 */
const classify = (status: number, body: string): Outcome =>
  status >= 200 && status < 300
    ? { _tag: "Delivered", status }
    : status === 404 || status === 410
    ? { _tag: "Gone", status, body }
    : { _tag: "Failed", status, body }

const errorBodyLimit = 1000

const attemptOnce = (client: HttpClient.HttpClient, url: string, body: string, timestamp: string, signature: string) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.bodyText(body, "application/json"),
    HttpClientRequest.setHeaders({
      "Lucca-Timestamp": timestamp,
      "Lucca-Signature": signature,
      "User-Agent": "Lucca-Webhooks (fake-lucca)"
    }),
    client.execute,
    Effect.flatMap((response) =>
      Effect.map(
        Effect.orElseSucceed(response.text, () => ""),
        (text): Outcome => classify(response.status, text.slice(0, errorBodyLimit))
      )
    ),
    Effect.scoped,
    Effect.timeoutOrElse({
      duration: answerTimeout,
      orElse: () => Effect.fail("No answer within 3 seconds." as const)
    }),
    Effect.catchCause((cause): Effect.Effect<Outcome> => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
      const error = Cause.squash(cause)
      return Effect.succeed({
        _tag: "Failed",
        status: undefined,
        body: (typeof error === "string" ? error : error instanceof Error ? error.message : String(error))
          .slice(0, errorBodyLimit)
      })
    })
  )

/**
 * Delivers one event to one endpoint: up to 5 attempts, each signed at its own time, each
 * recorded as a `webhook-delivery-attempt`; the delivery's `status`, `attemptsCount`
 * and `nextAttemptAt` follow.
 */
const deliver = (
  state: State.State,
  account: State.AccountState,
  client: HttpClient.HttpClient,
  deliveryId: string,
  endpointId: string,
  body: string
) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt <= retryDelays.length; attempt++) {
      const endpoint = yield* findResource(account, "webhook-endpoints", endpointId)
      if (endpoint === undefined || endpoint.status !== "active") {
        // suspended since (another delivery got a 404 or 410): no further attempt
        yield* updateResource(account, "webhook-deliveries", deliveryId, (d) => ({ ...d, status: "failed" }))
        return
      }
      const secret = yield* Effect.orDie(secretOf(state, account.name, endpointId))
      const now = yield* Clock.currentTimeMillis
      const timestamp = timestampOf(now)
      const signature = yield* sign(timestamp, body, secret)
      const outcome = yield* attemptOnce(client, endpoint.webhookUrl as string, body, timestamp, signature)
      const last = attempt === retryDelays.length
      const status = outcome._tag === "Delivered"
        ? "delivered"
        : outcome._tag === "Gone" || last
        ? "failed"
        : "undelivered"
      const nextAttemptAt = status === "undelivered"
        ? new Date(now + Duration.toMillis(retryDelays[attempt])).toISOString()
        : new Date(now).toISOString()
      yield* Ref.update(account.data, (data) => {
        const attemptId = nextId(data.resources["webhook-delivery-attempts"], 40000)
        const record: FakeLuccaData.Resource = {
          id: attemptId,
          type: "webhook-delivery-attempt",
          url: `/lucca-api/webhook-delivery-attempts/${attemptId}`,
          signature,
          webhookDelivery: Data.ref("webhook-deliveries", "webhook-delivery", deliveryId),
          isSuccessful: outcome._tag === "Delivered",
          ...(outcome.status === undefined ? {} : { responseStatusCode: outcome.status }),
          errorResponseBody: outcome._tag === "Delivered" ? "" : outcome.body,
          createdAt: new Date(now).toISOString(),
          links: {}
        }
        return {
          ...data,
          resources: {
            ...data.resources,
            "webhook-delivery-attempts": [...data.resources["webhook-delivery-attempts"], record],
            "webhook-deliveries": data.resources["webhook-deliveries"].map((d) =>
              d.id === deliveryId ? { ...d, status, attemptsCount: attempt + 1, nextAttemptAt } : d
            )
          }
        }
      })
      if (outcome._tag === "Gone") {
        // 404 and 410 suspend the endpoint at once
        yield* updateResource(account, "webhook-endpoints", endpointId, (e) => ({
          ...e,
          status: "suspended",
          lastUpdatedAt: new Date(now).toISOString()
        }))
      }
      if (status !== "undelivered") return
      yield* Effect.sleep(retryDelays[attempt])
    }
  })

const establishmentOf = (data: FakeLuccaData.DataSet, resource: Record<string, unknown>): unknown => {
  const find = (collection: FakeLuccaData.Collection, id: unknown) =>
    data.resources[collection].find((r) => r.id === id)
  const idOf = (value: unknown) => (value as { id?: unknown } | null | undefined)?.id
  switch (resource.type) {
    case "job-position":
      return resource.businessEstablishment ?? null
    case "employee": {
      const position = find("job-positions", idOf(resource.applicableJobPosition))
      return position?.businessEstablishment ?? null
    }
    case "employment":
    case "employee-personal-record":
    case "portrait": {
      const employee = find("employees", idOf(resource.employee))
      return employee === undefined ? null : establishmentOf(data, employee)
    }
    default:
      return null
  }
}

/** The stored form of a resource a caller passes: URLs relative to the account host. */
const relative = (origin: string, value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((v) => relative(origin, v))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relative(origin, v)]))
  }
  return typeof value === "string" && value.startsWith(`${origin}/`) ? value.slice(origin.length) : value
}

/**
 * Records an event, and a delivery to each active endpoint created through the API that
 * subscribes to its topic (and to its business establishment, when the endpoint names
 * some); the dispatcher, when one runs, delivers them.
 *
 * @internal
 */
export const raise = (
  state: State.State,
  account: State.AccountState,
  options: {
    readonly topic: string
    readonly data: Record<string, unknown>
    readonly previousAttributes?: Record<string, unknown> | undefined
    /** Only this endpoint (a ping). */
    readonly endpointId?: string | undefined
    /** Reuses a recorded event (a redelivery): same id, same body. */
    readonly eventId?: string | undefined
  }
): Effect.Effect<FakeLuccaWebhooks.Raised> =>
  Effect.gen(function*() {
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    const { deliveries, event } = yield* Ref.modify(account.data, (data) => {
      const existing = options.eventId === undefined
        ? undefined
        : data.resources.events.find((e) => e.id === options.eventId)
      const eventId = existing?.id ?? nextId(data.resources.events, 20000)
      const event: FakeLuccaData.Resource = existing ?? {
        id: eventId,
        type: "event",
        url: `/lucca-api/events/${eventId}`,
        apiVersion: Operations.apiVersion,
        topic: options.topic,
        occurredAt: now,
        // rendered as the account's origin, the tenant's URL
        source: "",
        businessEstablishment: establishmentOf(data, options.data),
        data: relative(account.url, options.data) as Record<string, unknown>,
        ...(options.previousAttributes === undefined ? {} : { previousAttributes: options.previousAttributes }),
        links: {}
      }
      const establishment = (event.businessEstablishment as { id?: string } | null)?.id
      const endpoints = data.resources["webhook-endpoints"].filter((e) =>
        options.endpointId === undefined
          ? data.webhookEndpointOwners.has(e.id) && e.status === "active" &&
            (e.topics as ReadonlyArray<string>).includes(event.topic as string) &&
            (e.businessEstablishments === null || e.businessEstablishments === undefined ||
              (e.businessEstablishments as ReadonlyArray<{ id: string }>).some((b) => b.id === establishment))
          : e.id === options.endpointId
      )
      const deliveries: Array<FakeLuccaData.Resource> = []
      for (const endpoint of endpoints) {
        const deliveryId = nextId([...data.resources["webhook-deliveries"], ...deliveries], 30000)
        deliveries.push({
          id: deliveryId,
          type: "webhook-delivery",
          url: `/lucca-api/webhook-deliveries/${deliveryId}`,
          nextAttemptAt: now,
          attemptsCount: 0,
          status: "undelivered",
          event: Data.ref("events", event.topic as string, eventId),
          webhookEndpoint: Data.ref("webhook-endpoints", "webhook-endpoint", endpoint.id),
          links: { attempts: { href: `/lucca-api/webhook-delivery-attempts?webhookDelivery.id=${deliveryId}` } }
        })
      }
      return [{ deliveries, event }, {
        ...data,
        resources: {
          ...data.resources,
          events: existing === undefined ? [...data.resources.events, event] : data.resources.events,
          "webhook-deliveries": [...data.resources["webhook-deliveries"], ...deliveries]
        }
      }]
    })
    // the body as the endpoint's API version would show it; every attempt sends the same bytes
    const view = Resources.view(yield* Ref.get(account.data), new Set(), account.url)
    const body = JSON.stringify(view.render(event))
    const dispatcher = yield* Ref.get(state.webhooks.dispatcher)
    const secrets = yield* Ref.get(state.webhooks.secrets)
    if (Option.isSome(dispatcher)) {
      for (const delivery of deliveries) {
        const endpointId = (delivery.webhookEndpoint as { id: string }).id
        // the seeded endpoint (its URL under .test) is history: nothing is sent to it
        if (!secrets.has(secretKey(account.name, endpointId))) continue
        yield* FiberSet.run(
          dispatcher.value.fibers,
          deliver(state, account, dispatcher.value.client, delivery.id, endpointId, body).pipe(
            Effect.withSpan("FakeLucca.webhookDelivery")
          )
        )
      }
    }
    return {
      event: view.render(event) as FakeLuccaData.Resource,
      deliveryIds: deliveries.map((d) => d.id)
    }
  })

/** The singular `type` of a topic (`employee.updated` → `employee`) and its collection. */
export const collectionOfTopic = (topic: string): FakeLuccaData.Collection | undefined =>
  Resources.collectionOf.get(topic.slice(0, topic.lastIndexOf(".")))

/**
 * Changes a resource and raises `{type}.updated` with the changed fields' previous values.
 *
 * @internal
 */
export const update = (
  state: State.State,
  account: State.AccountState,
  collection: FakeLuccaData.Collection,
  id: string,
  patch: Record<string, unknown>
): Effect.Effect<FakeLuccaWebhooks.Raised, FakeLuccaError> =>
  Effect.gen(function*() {
    const before = yield* findResource(account, collection, id)
    if (before === undefined) {
      return yield* new FakeLuccaError({
        reason: "UnknownResource",
        description: `Account '${account.name}' has no ${collection} '${id}'`
      })
    }
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    // a resource keeps its identity
    const { id: _id, type: _type, url: _url, ...fields } = patch
    patch = fields
    const changed = Object.keys(patch).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(patch[k]))
    const after: FakeLuccaData.Resource = {
      ...before,
      ...patch,
      ...("lastUpdatedAt" in before ? { lastUpdatedAt: now } : {})
    }
    yield* updateResource(account, collection, id, () => after)
    const { links: _links, ...data } = after
    return yield* raise(state, account, {
      topic: `${before.type}.updated`,
      data,
      previousAttributes: Object.fromEntries(changed.map((k) => [k, before[k] ?? null]))
    })
  })

/** @internal */
export const startDispatcher = (
  state: State.State,
  client: HttpClient.HttpClient
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const fibers = yield* FiberSet.make()
    const dispatcher: Dispatcher = { client, fibers }
    yield* Ref.set(state.webhooks.dispatcher, Option.some(dispatcher))
    yield* Effect.addFinalizer(() =>
      Ref.update(state.webhooks.dispatcher, (current) =>
        Option.isSome(current) && current.value === dispatcher ? Option.none() : current)
    )
  })

const unknownResource = (account: State.AccountState, what: string) =>
  new FakeLuccaError({ reason: "UnknownResource", description: `Account '${account.name}' has no ${what}` })

/**
 * An event on demand: the given `data`, or the resource `id` of the topic's type.
 *
 * @internal
 */
export const raiseOnDemand = (
  state: State.State,
  account: State.AccountState,
  options: {
    readonly topic: string
    readonly data?: Record<string, unknown> | undefined
    readonly id?: string | undefined
    readonly previousAttributes?: Record<string, unknown> | undefined
  }
): Effect.Effect<FakeLuccaWebhooks.Raised, FakeLuccaError> =>
  Effect.gen(function*() {
    let data = options.data
    if (data === undefined && options.id !== undefined) {
      const collection = collectionOfTopic(options.topic)
      const found = collection === undefined ? undefined : yield* findResource(account, collection, options.id)
      if (found === undefined) {
        return yield* unknownResource(account, `resource '${options.id}' for the topic '${options.topic}'`)
      }
      const { links: _links, ...representation } = found
      data = representation
    }
    return yield* raise(state, account, {
      topic: options.topic,
      data: data ?? {},
      previousAttributes: options.previousAttributes
    })
  })

/** @internal */
export const redeliver = (
  state: State.State,
  account: State.AccountState,
  eventId: string
): Effect.Effect<FakeLuccaWebhooks.Raised, FakeLuccaError> =>
  Effect.gen(function*() {
    const event = yield* findResource(account, "events", eventId)
    if (event === undefined) return yield* unknownResource(account, `event '${eventId}'`)
    return yield* raise(state, account, { topic: event.topic as string, data: {}, eventId })
  })

/**
 * The topics of Lucca's description (`oneof-topics`), besides `ping` and `confirmation`.
 *
 * @internal
 */
export const describedTopics: ReadonlyArray<string> = ["employee", "employment", "job-position", "employee-extension"]
  .flatMap((type) => ["created", "updated", "deleted"].map((change) => `${type}.${change}`))

/**
 * An endpoint created as `POST /lucca-api/webhook-endpoints` creates one, owned by
 * `owner`, then activated.
 *
 * @internal
 */
export const createEndpoint = (
  state: State.State,
  account: State.AccountState,
  options: {
    readonly webhookUrl: string
    readonly topics?: ReadonlyArray<string> | undefined
    readonly name?: string | undefined
    readonly owner: string
  }
): Effect.Effect<{ readonly endpoint: FakeLuccaData.Resource; readonly secret: Redacted.Redacted<string> }> =>
  Effect.gen(function*() {
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    const id = yield* Ref.modify(account.data, (data): [string, FakeLuccaData.DataSet] => {
      const id = nextId(data.resources["webhook-endpoints"], 10000)
      const endpoint: FakeLuccaData.Resource = {
        id,
        type: "webhook-endpoint",
        url: `/lucca-api/webhook-endpoints/${id}`,
        name: options.name ?? "Forwarded by lucca webhooks listen",
        apiVersion: Operations.apiVersion,
        webhookUrl: options.webhookUrl,
        topics: options.topics ?? describedTopics,
        businessEstablishments: null,
        status: "inactive",
        createdAt: now,
        lastUpdatedAt: now,
        links: {}
      }
      return [id, {
        ...data,
        resources: { ...data.resources, "webhook-endpoints": [...data.resources["webhook-endpoints"], endpoint] },
        webhookEndpointOwners: new Map(data.webhookEndpointOwners).set(id, options.owner)
      }]
    })
    const secret = yield* newSecret(state, account.name, id)
    yield* activate(state, account, id)
    const endpoint = (yield* findResource(account, "webhook-endpoints", id))!
    return {
      endpoint: Resources.view(yield* Ref.get(account.data), new Set(), account.url).render(
        endpoint
      ) as FakeLuccaData.Resource,
      secret
    }
  })
