/**
 * Receiving Lucca's webhooks: the signature check, the replay window, the activation
 * answer, deduplication and a fast acknowledgement, usable from any server.
 *
 * - `verify(request, secret)` checks one delivery (`Lucca-Timestamp`, `Lucca-Signature`)
 *   and decodes its event with `LuccaResources.Event`, the schema generated from Lucca's
 *   description (any topic is accepted, known or not).
 * - `receiver(options)` is an HTTP handler for `effect/http` (mount it on an
 *   `HttpRouter`, serve it with an `HttpServer`, or turn it into a
 *   `(Request) => Promise<Response>` for any web-standard server with
 *   `HttpEffect.toWebHandler`): it answers the activation `GET ?echo=`, verifies,
 *   deduplicates on `source` + `id` through `WebhookDeduplication`, answers `202` at once
 *   and hands each event once to the handler.
 *
 * @example
 * ```ts
 * import { LuccaWebhooks } from "@effect-lucca/core"
 * import { Config, Effect } from "effect"
 * import { HttpRouter } from "effect/http"
 *
 * // the receiver on POST and GET /webhooks/lucca of an HttpRouter; its workers live as
 * // long as the layer (serve it with HttpRouter.serve, or HttpRouter.toWebHandler)
 * const Routes = HttpRouter.use((router) =>
 *   Effect.gen(function*() {
 *     const secret = yield* Config.Redacted("LUCCA_WEBHOOK_SECRET")
 *     const receiver = yield* LuccaWebhooks.receiver({
 *       secret,
 *       handler: (event) => Effect.log(`${event.topic} ${event.id}`)
 *     })
 *     yield* router.add("*", "/webhooks/lucca", receiver)
 *   })
 * )
 * ```
 *
 * @see https://developers.lucca.fr/docs/lucca-api/documentation/webhooks
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internalReceiver from "./internal/webhookReceiver.js"
import * as internal from "./internal/webhooks.js"
import type * as LuccaResources from "./LuccaResources.js"

/**
 * One delivery as a server received it. Header names are matched case-insensitively;
 * the body must be the bytes as received (or their text), never re-serialized JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookRequest {
  readonly headers:
    | globalThis.Headers
    | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array | string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /**
   * How far `Lucca-Timestamp` may be from this machine's clock (`Clock`), in the past or
   * in the future. Default 5 minutes, as Lucca advises.
   */
  readonly tolerance?: Duration.Input | undefined
}

/**
 * The event of a delivery, as `LuccaResources.Event` decodes it.
 *
 * @since 0.1.0
 * @category models
 */
export type Event = LuccaResources.Event

/**
 * A delivery refused:
 * - `MissingHeader`: `header` (`Lucca-Timestamp` or `Lucca-Signature`) is absent;
 * - `InvalidSignature`: the signature is not the HMAC-SHA256 of the timestamp and body
 *   under the secret (a wrong secret, a body changed on the way, malformed base64);
 * - `StaleTimestamp`: `timestamp` is not a date-time, or is further than
 *   `toleranceMillis` from now (a replay);
 * - `InvalidPayload`: correctly signed, but not a JSON event.
 *
 * It never holds the secret nor the expected signature.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookError extends Schema.TaggedError<WebhookError>("@effect-lucca/core/WebhookError")(
  "WebhookError",
  {
    reason: Schema.Literals(["MissingHeader", "InvalidSignature", "StaleTimestamp", "InvalidPayload"]),
    header: Schema.optional(Schema.Literals(["Lucca-Timestamp", "Lucca-Signature"])),
    /** The `Lucca-Timestamp` value as received. */
    timestamp: Schema.optional(Schema.String),
    toleranceMillis: Schema.optional(Schema.Number),
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Lucca webhook refused (${this.reason}): ${this.description}`
  }
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isWebhookError = (u: unknown): u is WebhookError => Predicate.isTagged(u, "WebhookError")

/**
 * The name of the header that carries the delivery time.
 *
 * @since 0.1.0
 * @category constants
 */
export const timestampHeader = "Lucca-Timestamp" as const

/**
 * The name of the header that carries the signature.
 *
 * @since 0.1.0
 * @category constants
 */
export const signatureHeader = "Lucca-Signature" as const

/**
 * Verifies one delivery and decodes its event.
 *
 * The signature is `base64(HMAC-SHA256(secret, Lucca-Timestamp + "." + body))`, computed
 * with Web Crypto over the header value and the body bytes exactly as received, and
 * compared in constant time. Then `Lucca-Timestamp` must be within `tolerance` of
 * `Clock` (so `TestClock` drives it). Never a defect: every refusal is a `WebhookError`.
 *
 * @example
 * ```ts
 * import { LuccaWebhooks } from "@effect-lucca/core"
 * import { Effect, Redacted } from "effect"
 *
 * // in any server: the raw body and the headers of the POST
 * const handle = (request: Request) =>
 *   Effect.gen(function*() {
 *     const body = new Uint8Array(yield* Effect.promise(() => request.arrayBuffer()))
 *     const event = yield* LuccaWebhooks.verify(
 *       { headers: request.headers, body },
 *       Redacted.make("the secret returned when the endpoint was created")
 *     )
 *     return event.topic
 *   })
 * ```
 *
 * @see https://developers.lucca.fr/docs/lucca-api/documentation/webhooks/catching/validate
 * @since 0.1.0
 * @category verification
 */
export const verify: (
  request: WebhookRequest,
  secret: Redacted.Redacted<string>,
  options?: VerifyOptions
) => Effect.Effect<Event, WebhookError> = internal.verify

/**
 * The `Lucca-Signature` of a body sent at `timestamp`, as Lucca computes it: for tests
 * and tools that send deliveries of their own.
 *
 * @since 0.1.0
 * @category verification
 */
export const sign: (
  timestamp: string,
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>
) => Effect.Effect<string> = internal.sign

/**
 * The outcome of a claim on an event's key (`source` + `id`):
 * - `Claimed`: first seen, this receiver processes it;
 * - `Duplicate`: claimed already (processed, or being processed);
 * - `Unavailable`: the store cannot answer; the receiver answers 503 so that Lucca
 *   delivers again later, rather than risk processing the event twice.
 *
 * @since 0.1.0
 * @category models
 */
export type Claim = "Claimed" | "Duplicate" | "Unavailable"

/**
 * Where a receiver records the events it has taken, so that each is processed once
 * although Lucca may deliver it more than once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deduplication {
  /** Claims `key` for `ttl`. Only one concurrent claimer of a key gets `Claimed`. */
  readonly claim: (key: string, ttl: Duration.Duration) => Effect.Effect<Claim>
  /** Gives a claim back (the handler failed): the next delivery of the event is processed. */
  readonly release: (key: string) => Effect.Effect<void>
}

/**
 * The deduplication store of receivers. Without it in context, each receiver keeps its
 * own in memory (`makeMemoryDeduplication`); `@effect-lucca/redis` provides one shared by
 * every process of a fleet.
 *
 * @since 0.1.0
 * @category tags
 */
export class WebhookDeduplication extends Context.Service<WebhookDeduplication, Deduplication>()(
  "@effect-lucca/core/LuccaWebhooks/WebhookDeduplication"
) {}

/**
 * An in-memory store: keys expire after their `ttl` (read from `Clock`), so its size is
 * bounded by the events of one window.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryDeduplication: Effect.Effect<Deduplication> = internalReceiver.makeMemoryDeduplication

/**
 * One in-memory store for every receiver of the program.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemoryDeduplication: Layer.Layer<WebhookDeduplication> = Layer.effect(
  WebhookDeduplication,
  makeMemoryDeduplication
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ReceiverOptions<E, R> {
  /**
   * The endpoint's secret, returned once by `POST /lucca-api/webhook-endpoints`; or an
   * Effect read at each delivery (a `Deferred` completed once the endpoint is created,
   * since Lucca calls the activation `GET` before the secret is known; a rotated secret).
   */
  readonly secret: Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>>
  /** Runs once per event (per `source` + `id`), after the delivery was answered. */
  readonly handler: (event: Event) => Effect.Effect<unknown, E, R>
  /** See `VerifyOptions.tolerance`; default 5 minutes. */
  readonly tolerance?: Duration.Input | undefined
  /**
   * Events accepted but not yet handled; a delivery that finds the queue full gets `503`
   * with `Retry-After`, and Lucca delivers it again later. Default 1,000.
   */
  readonly capacity?: number | undefined
  /** The largest body accepted, in bytes (a larger one gets `413`); default 1 MiB. */
  readonly maxBodySize?: number | undefined
  /** Events handled at once; default 1 (in order of arrival). */
  readonly concurrency?: number | undefined
  /**
   * How a failed handler is retried. Default: forever, after 0.5 s, 1 s, 2 s... up to one
   * minute between attempts, so that no acknowledged event is dropped while the process
   * lives. When a finite schedule ends, the event's claim is released (a later delivery
   * of it is processed) and the failure is logged with the event's id.
   */
  readonly retry?: Schedule.Schedule<unknown, E> | undefined
  /**
   * How long an event's key is remembered. Default 48 hours: Lucca retries a delivery
   * for about 24 hours.
   */
  readonly deduplicationWindow?: Duration.Input | undefined
}

/**
 * The receiver: an HTTP handler (an Effect of the `HttpServerRequest`) to mount at the endpoint's URL (for both `GET` and `POST`).
 *
 * - `GET ?echo=<value>` (the activation; `?challenge=` as an older page says) answers the
 *   value as `text/plain`.
 * - `POST`: a refused delivery gets `401` (missing or wrong header, stale timestamp) or
 *   `400` (signed, but no event). An event already claimed gets `202` and is not handed
 *   again. A new one is queued and answered `202` at once, well within Lucca's 3 seconds;
 *   a full queue or an unavailable store gets `503`, so that Lucca delivers it again.
 * - The handler runs on background fibers of the scope; a failure is retried (see
 *   `ReceiverOptions.retry`). When the scope closes, the claims of events not yet handled
 *   are released.
 *
 * Events are held in memory between the answer and the handler: a handler that must not
 * lose one across a crash should store it durably and do the work later, as Lucca advises.
 *
 * @example
 * ```ts
 * import { LuccaWebhooks } from "@effect-lucca/core"
 * import { Effect, Redacted } from "effect"
 * import { HttpEffect } from "effect/http"
 *
 * // a web-standard handler, for Deno.serve, Bun.serve, a worker...
 * const program = Effect.gen(function*() {
 *   const receiver = yield* LuccaWebhooks.receiver({
 *     secret: Redacted.make("the endpoint's secret"),
 *     handler: (event) => Effect.log(`received ${event.topic}`)
 *   })
 *   const handler: (request: Request) => Promise<Response> = HttpEffect.toWebHandler(receiver)
 *   return handler
 * })
 *
 * // run `program` in a scope that lasts as long as the server: the handler's workers
 * // stop, and the claims of events not yet handled are released, when it closes
 * ```
 *
 * @see https://developers.lucca.fr/docs/lucca-api/documentation/webhooks/catching/spec-receive
 * @since 0.1.0
 * @category receiver
 */
export const receiver: <E, R>(
  options: ReceiverOptions<E, R>
) => Effect.Effect<
  Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
  never,
  R | Scope.Scope
> = internalReceiver.receiver
