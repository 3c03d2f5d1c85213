import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RpcServer from "effect/rpc/RpcServer"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Stream from "effect/Stream"
import type * as LuccaWorker from "../LuccaWorker.js"
import { SetupError, TransportError } from "../LuccaWorker.js"

type Failure = LuccaWorker.Failure

/**
 * A URL fit for errors and answers: no credentials, no query, no fragment (as the core
 * shows URLs).
 *
 * @internal
 */
export const displayUrl = (url: string | URL): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return String(url).split("?")[0]
  }
}

/** A system error code (`ECONNREFUSED`) on a cause or its cause: never the cause's message. */
const systemErrorCode = (cause: unknown): string | undefined =>
  codeOf(cause) ?? (Predicate.hasProperty(cause, "cause") ? codeOf(cause.cause) : undefined)

const codeOf = (u: unknown): string | undefined =>
  Predicate.hasProperty(u, "code") && typeof u.code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(u.code)
    ? u.code
    : undefined

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The first issue of a schema failure: its path (as strings) and message. The core's
 * option errors hold one, pointing at the option.
 *
 * @internal
 */
export const firstIssue = (
  issue: SchemaIssue.Issue
): { readonly path: ReadonlyArray<string>; readonly message: string } => {
  const first = formatter(issue).issues[0]
  if (first === undefined) return { path: [], message: "is invalid" }
  const path = (first.path ?? []).map((segment) =>
    String(typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment)
  )
  return { path, message: first.message }
}

const descriptions: Record<HttpClientError.HttpClientErrorReason["_tag"], string> = {
  TransportError: "the request could not be sent or its answer could not be received",
  EncodeError: "the request body could not be encoded",
  InvalidUrlError: "the URL is not valid",
  StatusCodeError: "the answer has an unexpected status",
  DecodeError: "the answer could not be read",
  EmptyBodyError: "the answer has no body"
}

/**
 * `HttpClientError` holds the request and response objects, which cannot be cloned to
 * another thread (and whose request carried the bearer token): only what a reader needs
 * crosses, and never a cause's message (which may quote the request): the reason, and a
 * system error code when there is one.
 */
const toFailure = (error: LuccaClient.DecodedError): Failure => {
  if (!HttpClientError.isHttpClientError(error)) return error
  const reason = error.reason
  const code = systemErrorCode(reason.cause)
  return new TransportError({
    method: reason.request.method,
    url: displayUrl(reason.request.url),
    reason: reason._tag.replace(/Error$/, ""),
    description: descriptions[reason._tag] + (code === undefined ? "" : ` (${code})`)
  })
}

/** Sends `request` through the worker's client and reads a JSON answer, as `executeDecoded` would. */
const exchange = <S extends Schema.Top & { readonly DecodingServices: never }>(
  lucca: LuccaClient.Service,
  request: HttpClientRequest.HttpClientRequest,
  schema: S
): Effect.Effect<{ readonly value: S["Type"]; readonly response: HttpClientResponse.HttpClientResponse }, Failure> =>
  lucca.execute(request).pipe(
    Effect.flatMap((response) =>
      Effect.map(LuccaClient.decodeResponse(response, schema), (value) => ({ value, response }))
    ),
    Effect.mapError(toFailure)
  )

// structured clone cannot carry `undefined` in every runtime: an empty body is `null`
const json = (
  lucca: LuccaClient.Service,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<typeof LuccaWorker.JsonResponse.Type, Failure> =>
  Effect.map(exchange(lucca, request, Schema.Unknown), ({ response, value }) => ({
    status: response.status,
    url: displayUrl(response.request.url),
    body: value ?? null
  }))

/** @internal */
export const get = (
  lucca: LuccaClient.Service,
  request: { readonly path: string; readonly urlParams: ReadonlyArray<readonly [string, string]> }
): Effect.Effect<typeof LuccaWorker.JsonResponse.Type, Failure> =>
  json(lucca, HttpClientRequest.get(request.path, { urlParams: request.urlParams }))

/** @internal */
export const write = (
  lucca: LuccaClient.Service,
  request: {
    readonly method: "POST" | "PUT" | "PATCH" | "DELETE"
    readonly path: string
    readonly urlParams: ReadonlyArray<readonly [string, string]>
    readonly body?: unknown
  }
): Effect.Effect<typeof LuccaWorker.JsonResponse.Type, Failure> => {
  const unsent = HttpClientRequest.make(request.method)(request.path, { urlParams: request.urlParams })
  const withBody: Effect.Effect<HttpClientRequest.HttpClientRequest, TransportError> = request.body === undefined
    ? Effect.succeed(unsent)
    // structured clone lets a BigInt or a cycle through: a body JSON cannot hold is a typed failure
    : Effect.mapError(HttpClientRequest.bodyJson(unsent, request.body), () =>
      new TransportError({
        method: request.method,
        url: displayUrl(request.path),
        reason: "Encode",
        description: "the body cannot be sent as JSON: it is not JSON-serializable"
      }))
  return Effect.flatMap(withBody, (sent) => json(lucca, sent))
}

/** The full URL a request goes to, query included: what identifies a page. */
const pageKey = (request: HttpClientRequest.HttpClientRequest): string =>
  Option.match(HttpClientRequest.toUrl(request), { onNone: () => request.url, onSome: (url) => url.href })

const AnyPage = LuccaClient.Page(Schema.Unknown)

/**
 * Follows `links.next.href` as the core's `paginate` does (`LuccaClient.firstPage` asks
 * for `include=links`; a link back to a page already read is refused), one message per
 * page so that the page side can name the page of an item it cannot decode.
 *
 * @internal
 */
export const paginate = (
  client: Effect.Effect<LuccaClient.Service, SetupError>,
  request: {
    readonly path: string
    readonly urlParams: ReadonlyArray<readonly [string, string]>
    readonly limit?: number | undefined
  }
): Stream.Stream<typeof LuccaWorker.Page.Type, Failure | SetupError> =>
  Stream.unwrap(Effect.map(client, (lucca) => {
    const seen = new Set<string>()
    return Stream.paginate(
      LuccaClient.firstPage(request.path, { limit: request.limit, urlParams: request.urlParams }),
      (current: HttpClientRequest.HttpClientRequest) =>
        Effect.flatMap(exchange(lucca, current, AnyPage), ({ response, value }) => {
          seen.add(pageKey(response.request))
          const next = LuccaClient.nextPage(value, response.request.url)
          if (Option.isSome(next) && seen.has(pageKey(next.value))) {
            return Effect.fail(
              new LuccaError.ResponseDecodeError({
                method: response.request.method,
                url: displayUrl(response.request.url),
                status: response.status,
                path: "links.next.href",
                description: "points to a page already read; the pagination would never end"
              })
            )
          }
          const page = { status: response.status, url: displayUrl(response.request.url), items: value.items }
          return Effect.succeed([[page], next] as const)
        })
    )
  }))

/** @internal */
export const setupError = (error: unknown): SetupError =>
  error instanceof Config.ConfigError
    ? new SetupError({
      // a ConfigError's own text names the option ("accountUrl: ...")
      description: error.message,
      cause: error
    })
    : new SetupError({ description: error instanceof Error ? error.message : String(error) })

// ---------------------------------------------------------------------------------------
// The one way out of the worker
// ---------------------------------------------------------------------------------------

/**
 * A message as it is posted, every string in it (keys included) through `redact`. A
 * server may echo the request's headers in a body or a problem's fields, and the page
 * chooses the paths, so it could look for such an endpoint: no text the page receives may
 * hold the token, whatever the answer or the error (a future one included).
 *
 * @internal
 */
export const redactMessage = (value: unknown, redact: (text: string) => string): unknown => {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    // a BigInt or a cycle: walk it
    return redactEach(value, redact)
  }
  if (text === undefined || redact(text) === text) return value // the usual case: nothing to redact
  return redactEach(value, redact)
}

const redactEach = (value: unknown, redact: (text: string) => string, depth = 0): unknown => {
  if (typeof value === "string") return redact(value)
  // deeper than any message of the protocol: nothing of it is shown rather than something unchecked
  if (depth > 64) return "<not shown>"
  if (Array.isArray(value)) return value.map((item) => redactEach(item, redact, depth + 1))
  if (Predicate.isObject(value) && !Predicate.isFunction(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key), redactEach(item, redact, depth + 1)])
    )
  }
  return value
}

/**
 * The server side of the worker's RPC protocol (`RpcServer.makeProtocolWorkerRunner`),
 * with every message it posts (answers, stream chunks, failures, defects) redacted by
 * {@link redactMessage}: the one choke point between the worker's client and the page.
 *
 * @internal
 */
export const layerRedactingProtocol = (redact: (text: string) => string) =>
  Layer.effect(RpcServer.Protocol)(
    Effect.map(RpcServer.makeProtocolWorkerRunner, (protocol) =>
      RpcServer.Protocol.of({
        ...protocol,
        send: (clientId, response, transferables) =>
          protocol.send(clientId, redactMessage(response, redact) as typeof response, transferables)
      }))
  )
