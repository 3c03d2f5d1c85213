/**
 * The emulator delivers webhooks as Lucca documents them.
 *
 * - `POST /lucca-api/webhook-endpoints` answers the endpoint's `secret` once; while a
 *   dispatcher runs (`layer`, or `FakeLuccaServer`, which starts one), the new endpoint is
 *   activated with `GET <webhookUrl>?echo=<value>` and becomes `active` only if the value
 *   comes back (else `inactive`). Without a dispatcher there is no one to ask: it is
 *   `active`.
 * - An event (`raise`, `update`, `POST /lucca-api/webhook-deliveries` for a `ping`, or
 *   the loopback control `POST /fake-lucca/events`) is recorded under `events`, with one
 *   `webhook-delivery` per active endpoint created through the API whose `topics` hold
 *   the event's topic (and whose `businessEstablishments`, when not `null`, hold the
 *   event's).
 * - Each delivery is a `POST` of the event as JSON with `Lucca-Timestamp` (UTC ISO 8601,
 *   `2025-01-01T08:34:23Z`) and `Lucca-Signature`
 *   (`base64(HMAC-SHA256(secret, timestamp + "." + body))`), signed anew at each attempt.
 *   A 2xx is delivered; 404 and 410 suspend the endpoint at once; anything else (400,
 *   401, 429, 5xx, other statuses, no answer within 3 seconds, a transport error) is
 *   retried after `retryDelays`: at most 5 attempts, the last 24 hours after the first.
 *   Every attempt is a `webhook-delivery-attempt`, and the delivery's `status`,
 *   `attemptsCount` and `nextAttemptAt` follow.
 *
 * Deliveries go through the `HttpClient` the dispatcher is given: an in-memory receiver
 * (`httpClientOf(app)`) or real sockets (`NodeHttpClient`). The endpoint's `webhookUrl`
 * must be `https://`, as Lucca requires, or `http://` on a loopback host.
 *
 * Loopback control (on each account's port of `FakeLuccaServer`, not part of Lucca):
 * `POST /fake-lucca/events` with a JSON body `{ "topic": "employee.updated", "id": "1001" }`
 * (the resource of that id, of the topic's type) or `{ "topic": "...", "data": { ... } }`
 * raises an event and answers `201` with `{ event, deliveryIds }`;
 * `PATCH /fake-lucca/resources/{collection}/{id}` with a JSON object of fields changes a
 * resource and raises `{type}.updated`.
 *
 * @see https://developers.lucca.fr/docs/lucca-api/documentation/webhooks
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { FakeLucca } from "./FakeLucca.js"
import type * as FakeLuccaData from "./FakeLuccaData.js"
import type { FakeLuccaError } from "./FakeLuccaError.js"
import * as State from "./internal/state.js"
import * as internal from "./internal/webhooks.js"

/**
 * The delays between the attempts of one delivery: 1 minute, 10 minutes, 1 hour, then
 * 22 h 49 min, so that the fifth and last attempt comes 24 hours after the first. Lucca
 * documents "at most 5 attempts over about 24 hours", not the delays.
 *
 * @since 0.1.0
 * @category constants
 */
export const retryDelays: ReadonlyArray<Duration.Duration> = internal.retryDelays

/**
 * An event raised: as it is delivered (URLs absolute on the account's URL), and the ids
 * of its `webhook-deliveries`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Raised {
  readonly event: FakeLuccaData.Resource
  readonly deliveryIds: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RaiseOptions {
  /** Any topic, known to the description or not: `employee.updated`, `leave.created`... */
  readonly topic: string
  /** The resource the event carries; default: the one with `id`, of the topic's type. */
  readonly data?: Record<string, unknown> | undefined
  /** With no `data`: the id of the resource to carry. */
  readonly id?: string | undefined
  readonly previousAttributes?: Record<string, unknown> | undefined
  /** Default: the first account. */
  readonly account?: string | undefined
}

const accountOf = (name: string | undefined) =>
  Effect.flatMap(FakeLucca, (fake) => {
    const state = State.getState(fake)
    return Effect.map(Effect.fromResult(State.findAccount(state, name)), (account) => ({ state, account }))
  })

/**
 * Raises an event on demand (the data set is not changed).
 *
 * @since 0.1.0
 * @category controls
 */
export const raise = (options: RaiseOptions): Effect.Effect<Raised, FakeLuccaError, FakeLucca> =>
  Effect.flatMap(accountOf(options.account), ({ account, state }) => internal.raiseOnDemand(state, account, options))

/**
 * Changes fields of a resource (`lastUpdatedAt` too, where it has one) and raises
 * `{type}.updated`, whose `previousAttributes` hold the changed fields' former values.
 *
 * @since 0.1.0
 * @category controls
 */
export const update = (
  collection: FakeLuccaData.Collection,
  id: string,
  patch: Record<string, unknown>,
  options?: { readonly account?: string | undefined }
): Effect.Effect<Raised, FakeLuccaError, FakeLucca> =>
  Effect.flatMap(
    accountOf(options?.account),
    ({ account, state }) => internal.update(state, account, collection, id, patch)
  )

/**
 * Delivers a recorded event again, as a new delivery with the same event `id` and body,
 * to the endpoints subscribed to it now: what Lucca's "retry" link of an event does, and
 * a duplicate for a receiver to recognise.
 *
 * @since 0.1.0
 * @category controls
 */
export const redeliver = (
  eventId: string,
  options?: { readonly account?: string | undefined }
): Effect.Effect<Raised, FakeLuccaError, FakeLucca> =>
  Effect.flatMap(accountOf(options?.account), ({ account, state }) => internal.redeliver(state, account, eventId))

/**
 * The secret of an endpoint created through the API (Lucca shows it once; the emulator
 * keeps it for tests).
 *
 * @since 0.1.0
 * @category controls
 */
export const secret = (
  endpointId: string,
  options?: { readonly account?: string | undefined }
): Effect.Effect<Redacted.Redacted<string>, FakeLuccaError, FakeLucca> =>
  Effect.flatMap(
    accountOf(options?.account),
    ({ account, state }) => internal.secretOf(state, account.name, endpointId)
  )

/**
 * The topics of Lucca's description: `created`, `updated` and `deleted` of `employee`,
 * `employment`, `job-position` and `employee-extension` (besides `ping` and
 * `confirmation`, which are not subscribed to).
 *
 * @since 0.1.0
 * @category constants
 */
export const describedTopics: ReadonlyArray<string> = internal.describedTopics

/**
 * Creates an endpoint as `POST /lucca-api/webhook-endpoints` would (owned by the account's
 * first application), runs its activation challenge, and returns it with its secret.
 *
 * @since 0.1.0
 * @category controls
 */
export const createEndpoint = (options: {
  readonly webhookUrl: string
  /** Default: `describedTopics`. */
  readonly topics?: ReadonlyArray<string> | undefined
  readonly name?: string | undefined
  readonly account?: string | undefined
}): Effect.Effect<
  { readonly endpoint: FakeLuccaData.Resource; readonly secret: Redacted.Redacted<string> },
  FakeLuccaError,
  FakeLucca
> =>
  Effect.flatMap(
    accountOf(options.account),
    ({ account, state }) =>
      Effect.flatMap(Ref.get(state.applications), (applications) =>
        internal.createEndpoint(state, account, {
          ...options,
          owner: [...applications.values()].find((a) => a.account === account.name)?.clientId ?? "fake-lucca"
        }))
  )

/**
 * Runs the activation challenge of an endpoint again (a suspended one becomes `active`
 * if it answers); `true` when it did.
 *
 * @since 0.1.0
 * @category controls
 */
export const activate = (
  endpointId: string,
  options?: { readonly account?: string | undefined }
): Effect.Effect<boolean, FakeLuccaError, FakeLucca> =>
  Effect.flatMap(accountOf(options?.account), ({ account, state }) => internal.activate(state, account, endpointId))

/**
 * Starts delivering through the `HttpClient` in context, until the scope closes. The
 * deliveries run on fibers forked from the fiber that raised the event, so `TestClock`
 * drives their retries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<void, never, FakeLucca | HttpClient.HttpClient | Scope.Scope> = Effect.gen(
  function*() {
    const fake = yield* FakeLucca
    const client = yield* HttpClient.HttpClient
    yield* internal.startDispatcher(State.getState(fake), client)
  }
)

/**
 * The dispatcher as a layer. Provide it the `HttpClient` that reaches the receivers,
 * separately from the client that reaches the emulator.
 *
 * @example
 * ```ts
 * import { FakeLucca, FakeLuccaWebhooks } from "@effect-lucca/testing"
 * import { Effect, Layer } from "effect"
 * import { HttpClient, HttpServerResponse } from "effect/http"
 *
 * // a receiver app in memory: every delivery reaches it, whatever the endpoint's URL
 * const receiver = Effect.succeed(HttpServerResponse.text("", { status: 202 }))
 *
 * const Emulator = FakeLuccaWebhooks.layer.pipe(
 *   Layer.provide(Layer.effect(HttpClient.HttpClient, FakeLuccaWebhooks.httpClientOf(receiver))),
 *   Layer.provideMerge(FakeLucca.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, FakeLucca | HttpClient.HttpClient> = Layer.effectDiscard(make)

/**
 * An `HttpClient` that answers every request with `app` (an HTTP handler: an Effect of the
 * `HttpServerRequest`), in the calling fiber (no socket): an in-memory receiver for the
 * dispatcher.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClientOf = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpClient.HttpClient, never, Exclude<R, Scope.Scope | HttpServerRequest.HttpServerRequest>> =>
  Effect.map(
    Effect.context<Exclude<R, Scope.Scope | HttpServerRequest.HttpServerRequest>>(),
    (context) =>
      HttpClient.make((request, url) =>
        Effect.gen(function*() {
          const body = request.body._tag === "Uint8Array"
            ? request.body.body
            : request.body._tag === "Raw"
            ? request.body.body as BodyInit
            : undefined
          const headers = new globalThis.Headers(request.headers)
          headers.delete("content-length")
          const webRequest = new Request(url, {
            method: request.method,
            headers,
            body: (body ?? null) as BodyInit | null
          })
          const response = yield* app.pipe(
            Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
            Effect.scoped,
            Effect.provideContext(context),
            Effect.exit
          ) as Effect.Effect<Exit.Exit<HttpServerResponse.HttpServerResponse, E>>
          if (Exit.isFailure(response)) {
            if (Cause.hasInterruptsOnly(response.cause)) return yield* Effect.interrupt
            // as a server would: the connection ends without an answer
            return yield* Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.TransportError({
                  request,
                  description: `The receiver failed: ${Cause.pretty(response.cause)}`
                })
              })
            )
          }
          return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response.value))
        })
      )
  )
