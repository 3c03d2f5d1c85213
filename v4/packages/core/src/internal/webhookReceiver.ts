import * as ByteSize from "effect/ByteSize"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as LuccaWebhooks from "../LuccaWebhooks.js"
import { WebhookDeduplication } from "../LuccaWebhooks.js"
import * as Webhooks from "./webhooks.js"

/** @internal */
export const makeMemoryDeduplication: Effect.Effect<LuccaWebhooks.Deduplication> = Effect.sync(() => {
  // insertion order is close to expiry order (one window per receiver): pruning stops early
  const expiries = new Map<string, number>()
  const prune = (now: number) => {
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > now) break
      expiries.delete(key)
    }
  }
  return {
    claim: (key, ttl) =>
      Effect.map(Clock.currentTimeMillis, (now): LuccaWebhooks.Claim => {
        prune(now)
        const expiresAt = expiries.get(key)
        if (expiresAt !== undefined && expiresAt > now) return "Duplicate"
        expiries.delete(key)
        expiries.set(key, now + Duration.toMillis(ttl))
        return "Claimed"
      }),
    release: (key) => Effect.sync(() => void expiries.delete(key))
  }
})

/** @internal */
export const defaultCapacity = 1000

/** @internal */
export const defaultMaxBodySize = 1024 * 1024

/** @internal */
export const defaultDeduplicationWindow = Duration.hours(48)

/** Forever, 0.5 s, 1 s, 2 s... then once a minute (the smaller of the two delays). */
const defaultRetry = Schedule.min([Schedule.exponential(Duration.millis(500)), Schedule.spaced(Duration.minutes(1))])

/** Lucca reads the key as `source` + `id` ("ensures unicity of {source} + {id}"). */
const keyOf = (event: LuccaWebhooks.Event) => `${event.source} ${event.id}`

const noStore = { "cache-control": "no-store", "x-content-type-options": "nosniff" }

const text = (body: string, status: number, headers?: Record<string, string>) =>
  HttpServerResponse.text(body, {
    status,
    contentType: "text/plain; charset=utf-8",
    headers: { ...noStore, ...headers }
  })

/** The activation challenge: `?echo=` as documented, `?challenge=` as an older page says. */
const activation = (request: HttpServerRequest.HttpServerRequest) => {
  const url = new URL(request.url, "http://receiver.invalid")
  const echo = url.searchParams.get("echo") ?? url.searchParams.get("challenge")
  return echo === null ?
    text("A Lucca webhook receiver: GET answers ?echo=<value>, POST takes deliveries.", 400) :
    text(echo, 200)
}

type App = Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>

interface Queued {
  readonly event: LuccaWebhooks.Event
  readonly key: string
}

/** @internal */
export const receiver = <E, R>(
  options: LuccaWebhooks.ReceiverOptions<E, R>
): Effect.Effect<App, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const provided = yield* Effect.serviceOption(WebhookDeduplication)
    const store = Option.isSome(provided) ? provided.value : yield* makeMemoryDeduplication
    const secret = Redacted.isRedacted(options.secret) ? Effect.succeed(options.secret) : options.secret
    const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
    const window = Duration.fromInputUnsafe(options.deduplicationWindow ?? defaultDeduplicationWindow)
    const retry: Schedule.Schedule<unknown, E> = options.retry ?? defaultRetry
    // a dropping queue: a full one refuses at once, so the answer never waits on the handler
    const queue = yield* Queue.dropping<Queued>(Math.max(1, options.capacity ?? defaultCapacity))

    const handle = ({ event, key }: Queued) =>
      options.handler(event).pipe(
        Effect.retry(retry),
        Effect.catchCause((cause) =>
          Effect.andThen(
            store.release(key),
            Effect.logError("Lucca webhook handler failed; a later delivery of the event will be handled", cause)
          )
        ),
        // interrupted (the scope closes): the event was not handled, a new delivery must be
        Effect.onInterrupt(() => store.release(key)),
        Effect.annotateLogs({ "lucca.event.id": event.id, "lucca.event.topic": event.topic }),
        Effect.withSpan("LuccaWebhooks.handle", {
          attributes: { "lucca.event.id": event.id, "lucca.event.topic": event.topic }
        })
      )

    const concurrency = Math.max(1, options.concurrency ?? 1)
    yield* Effect.forkScoped(
      Effect.forEach(
        Array.from({ length: concurrency }),
        () => Effect.forever(Effect.flatMap(Queue.take(queue), handle)),
        { concurrency: "unbounded", discard: true }
      )
    )
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Queue.clear(queue), (left) => Effect.forEach(left, (q) => store.release(q.key)))
    )

    const deliver = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        // an event is one resource: a body beyond the limit is refused before it is held
        const declared = Number(request.headers["content-length"] ?? "0")
        if (declared > maxBodySize) return text("The body is too large.", 413)
        const body = yield* Effect.result(
          Effect.provideService(request.arrayBuffer, HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBodySize))
        )
        if (Result.isFailure(body)) {
          return body.failure.reason._tag === "RequestParseError" && body.failure.reason.reason === "BodyTooLarge"
            ? text("The body is too large.", 413)
            : text("The body could not be read.", 400)
        }
        if (body.success.byteLength > maxBodySize) return text("The body is too large.", 413)
        const verified = yield* Effect.result(
          Webhooks.verify({ headers: request.headers, body: new Uint8Array(body.success) }, yield* secret, {
            tolerance: options.tolerance
          })
        )
        if (Result.isFailure(verified)) {
          const error = verified.failure
          yield* Effect.logWarning("Lucca webhook refused").pipe(
            Effect.annotateLogs({ reason: error.reason, description: error.description })
          )
          // signed but not an event: 400, which Lucca records on the delivery (retrying will not help)
          return text(error.message, error.reason === "InvalidPayload" ? 400 : 401)
        }
        const event = verified.success
        const key = keyOf(event)
        const claim = yield* store.claim(key, window)
        if (claim === "Unavailable") {
          return text("The deduplication store is unavailable; deliver again later.", 503, { "retry-after": "60" })
        }
        // seen already: acknowledged, so that Lucca stops delivering it
        if (claim === "Duplicate") return text("Duplicate event; already accepted.", 202)
        if (!(yield* Queue.offer(queue, { event, key }))) {
          yield* store.release(key)
          return text("Too many events waiting; deliver again later.", 503, { "retry-after": "30" })
        }
        return text("Accepted.", 202)
      })

    const app: App = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      switch (request.method) {
        case "GET":
        case "HEAD":
          return Effect.succeed(activation(request))
        case "POST":
          return deliver(request)
        default:
          return Effect.succeed(text("Method not allowed.", 405, { allow: "GET, HEAD, POST" }))
      }
    }).pipe(
      // never a defect out of the receiver: a bug answers 500, which Lucca retries
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.failCause(cause)
          : Effect.as(Effect.logError("Lucca webhook receiver failed", cause), text("Internal error.", 500))
      ),
      Effect.withSpan("LuccaWebhooks.receive")
    )
    return app
  })
