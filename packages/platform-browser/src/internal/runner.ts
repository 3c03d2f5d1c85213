import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as LuccaWorker from "../LuccaWorker.js"
import { SetupError, TransportError } from "../LuccaWorker.js"

type Failure = LuccaWorker.Failure

/**
 * `HttpClientError` holds the request and response objects, which cannot be cloned to
 * another thread (and whose request carried the bearer token): only what a reader needs
 * crosses, and never a cause's message (which may quote the request): the reason, and a
 * system error code when there is one.
 */
const toFailure = (error: LuccaClient.DecodedError | LuccaClient.RequestError): Failure => {
  if (!HttpClientError.isHttpClientError(error)) return error
  const request = error.request
  const code = LuccaError.systemErrorCode(error.cause)
  return new TransportError({
    method: request.method,
    url: LuccaError.displayUrl(request.url),
    reason: error.reason,
    description: descriptions[error.reason] + (code === undefined ? "" : ` (${code})`)
  })
}

const descriptions: Record<HttpClientError.HttpClientError["reason"], string> = {
  Transport: "the request could not be sent or its answer could not be received",
  Encode: "the request body could not be encoded",
  InvalidUrl: "the URL is not valid",
  StatusCode: "the answer has an unexpected status",
  Decode: "the answer could not be read",
  EmptyBody: "the answer has no body"
}

/**
 * Sends `request` through the worker's client and reads a JSON answer, as `executeDecoded`
 * would; the `fetch` of `LuccaClient.pages`.
 */
const exchange = <A, I, R>(
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<A, I, R>
): Effect.Effect<
  { readonly value: A; readonly response: HttpClientResponse.HttpClientResponse },
  Failure,
  R | LuccaClient.LuccaClient
> =>
  Effect.flatMap(LuccaClient.LuccaClient, (client) =>
    client.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(LuccaClient.decodeResponse(response, schema), (value) => ({ value, response }))
      ),
      Effect.mapError(toFailure)
    ))

// structured clone cannot carry `undefined` in every runtime: an empty body is `null`
const json = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<typeof LuccaWorker.JsonResponse.Type, Failure, LuccaClient.LuccaClient> =>
  Effect.map(exchange(request, Schema.Unknown), ({ response, value }) => ({
    status: response.status,
    url: LuccaError.displayUrl(response.request.url),
    body: value ?? null
  }))

/**
 * The one way out of the worker: everything a handler answers (values, failures, defects)
 * goes through the client's `redact` before it is posted to the page. A server may echo the
 * request's headers in a body or a problem's fields, and the page chooses the paths, so it
 * could look for such an endpoint: no text the page receives may hold the token, whatever
 * the error type (a future one included).
 */
const redactJson = (value: unknown, redact: (text: string) => string): unknown => {
  if (value === null || value === undefined) return value
  if (typeof value === "string") return redact(value)
  const text = JSON.stringify(value)
  if (text === undefined) return value
  const redacted = redact(text)
  if (redacted === text) return value // the usual case: nothing to redact
  // `<redacted>` needs no JSON escape: replaced inside strings, the text stays JSON, unless
  // a secret holding a quote matched across two strings: then redact string by string
  return Option.getOrElse(parseJson(redacted), () => redactEach(value, redact))
}

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const redactEach = (value: unknown, redact: (text: string) => string): unknown =>
  typeof value === "string"
    ? redact(value)
    : Array.isArray(value)
    ? value.map((item) => redactEach(item, redact))
    : Predicate.isRecord(value)
    ? Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactEach(item, redact)]))
    : value

/** A copy of `error` (same class, so that it encodes and decodes as itself), every field redacted. */
const redactObject = <A extends object>(error: A, redact: (text: string) => string): A => {
  const copy = Object.create(Object.getPrototypeOf(error)) as A
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!
    if ("value" in descriptor) descriptor.value = redactValue(descriptor.value, redact)
    Object.defineProperty(copy, key, descriptor)
  }
  return copy
}

const redactValue = (value: unknown, redact: (text: string) => string): unknown => {
  if (typeof value === "string") return redact(value)
  if (typeof value !== "object" || value === null) return value
  if (value instanceof Error || Predicate.hasProperty(value, "_tag")) return redactObject(value, redact)
  try {
    return redactJson(value, redact)
  } catch {
    // not JSON (a BigInt, a cycle): nothing of it is shown rather than something unchecked
    return "<not shown>"
  }
}

const redactCause = <E>(cause: Cause.Cause<E>, redact: (text: string) => string): Cause.Cause<E> =>
  Cause.match(cause, {
    onEmpty: Cause.empty,
    onFail: (error) => Cause.fail(redactValue(error, redact) as E),
    onDie: (defect) => Cause.die(redactValue(defect, redact)),
    onInterrupt: Cause.interrupt,
    onSequential: Cause.sequential,
    onParallel: Cause.parallel
  })

const redacted = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | LuccaClient.LuccaClient> =>
  Effect.flatMap(LuccaClient.LuccaClient, ({ redact }) =>
    effect.pipe(
      Effect.map((value) => redactJson(value, redact) as A),
      Effect.mapErrorCause((cause) => redactCause(cause, redact))
    ))

const redactedStream = <A, E, R>(
  stream: Stream.Stream<A, E, R>
): Stream.Stream<A, E, R | LuccaClient.LuccaClient> =>
  Stream.unwrap(Effect.map(LuccaClient.LuccaClient, ({ redact }) =>
    stream.pipe(
      Stream.map((value) => redactJson(value, redact) as A),
      Stream.mapErrorCause((cause) => redactCause(cause, redact))
    )))

/**
 * The handlers of the protocol's requests, each answer through {@link redacted} or
 * {@link redactedStream}: a handler added here cannot skip the redaction.
 *
 * @internal
 */
export const serve = <
  const Handlers extends Record<
    string,
    (request: any) => Effect.Effect<any, any, any> | Stream.Stream<any, any, any>
  >
>(handlers: Handlers): Handlers =>
  Object.fromEntries(
    Object.entries(handlers).map(([tag, handler]) => [tag, (request: unknown) => {
      const answer = handler(request)
      return Effect.isEffect(answer) ? redacted(answer) : redactedStream(answer)
    }])
  ) as Handlers

/** @internal */
export const get = (request: LuccaWorker.Get) =>
  json(HttpClientRequest.get(request.path, { urlParams: request.urlParams }))

/** @internal */
export const write = (request: LuccaWorker.Write) =>
  HttpClientRequest.make(request.method)(request.path, { urlParams: request.urlParams }).pipe(
    (unsent) =>
      request.body === undefined
        ? Effect.succeed(unsent)
        // structured clone lets a BigInt or a cycle through: a body JSON cannot hold is a typed failure
        : Effect.mapError(HttpClientRequest.bodyJson(unsent, request.body), (error) =>
          new TransportError({
            method: request.method,
            url: LuccaError.displayUrl(request.path),
            reason: "Encode",
            description: `the body cannot be sent as JSON: ${
              error.reason._tag === "JsonError" ? "it is not JSON-serializable" : error.reason._tag
            }`
          })),
    Effect.flatMap(json)
  )

/**
 * Follows `links.next.href` as the core's `paginate` does (`LuccaClient.pages`: asking for
 * `include=links`, refusing a link back to a page already read), one message per page so
 * that the page side can name the page of an item it cannot decode.
 *
 * @internal
 */
export const paginate = (
  request: LuccaWorker.Paginate
): Stream.Stream<typeof LuccaWorker.Page.Type, Failure, LuccaClient.LuccaClient> =>
  LuccaClient.pages<unknown, unknown, never, Failure, LuccaClient.LuccaClient>(
    LuccaClient.firstPage(request.path, { limit: request.limit, urlParams: request.urlParams }),
    Schema.Unknown,
    exchange
  ).pipe(Stream.map(({ items, response }) => ({
    status: response.status,
    url: LuccaError.displayUrl(response.request.url),
    items
  })))

/** @internal */
export const setupError = (error: unknown): SetupError =>
  ConfigError.isConfigError(error)
    ? new SetupError({
      // a ConfigError's own string names the option ("Invalid data at accountUrl: ...")
      description: String(error),
      cause: error
    })
    : new SetupError({ description: error instanceof Error ? error.message : String(error) })
