import { LuccaClient } from "@effect-lucca/core"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as LuccaWorker from "../LuccaWorker.js"
import { SetupError, TransportError } from "../LuccaWorker.js"

type Failure = LuccaWorker.Failure

/** The URL as errors show it: origin and path, never the query. */
const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url.split("?")[0]
  }
}

/**
 * `HttpClientError` holds the request and response objects, which cannot be cloned to
 * another thread (and whose request carries the bearer token): only what a reader needs
 * crosses.
 */
const toFailure = (error: LuccaClient.ClientError): Failure => {
  if (!HttpClientError.isHttpClientError(error)) return error
  const request = error.request
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return new TransportError({
    method: request.method,
    url: displayUrl(request.url),
    reason: error.reason,
    description: error.description ?? cause ?? error.message
  })
}

/** Sends `request` through the worker's client and reads a JSON answer, as `json` would. */
const exchange = <A, I>(
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<A, I>
): Effect.Effect<
  { readonly status: number; readonly url: string; readonly body: A },
  Failure,
  LuccaClient.LuccaClient
> =>
  Effect.gen(function*() {
    const client = yield* LuccaClient.LuccaClient
    const response = yield* Effect.mapError(client.execute(request), toFailure)
    const body = yield* LuccaClient.decodeResponse(response, schema)
    return { status: response.status, url: displayUrl(response.request.url), body }
  })

/** @internal */
export const get = (request: LuccaWorker.Get) =>
  Effect.map(
    exchange(HttpClientRequest.get(request.path, { urlParams: request.urlParams }), Schema.Unknown),
    (response) => ({ ...response, body: response.body ?? null })
  )

/** @internal */
export const post = (request: LuccaWorker.Post) =>
  HttpClientRequest.post(request.path, { urlParams: request.urlParams }).pipe(
    // structured clone lets a BigInt or a cycle through: a body JSON cannot hold is a typed failure
    HttpClientRequest.bodyJson(request.body),
    Effect.mapError((error) =>
      new TransportError({
        method: "POST",
        url: displayUrl(request.path),
        reason: "Encode",
        description: `the body cannot be sent as JSON: ${
          error.reason._tag === "JsonError" ? "it is not JSON-serializable" : error.reason._tag
        }`
      })
    ),
    Effect.flatMap((post) => exchange(post, Schema.Unknown)),
    Effect.map((response) => ({ ...response, body: response.body ?? null }))
  )

/**
 * Follows `links.next.href` as the core's `paginate` does (asking for `include=links`),
 * one message per page so that the page side can name the page of an item it cannot
 * decode.
 *
 * @internal
 */
export const paginate = (
  request: LuccaWorker.Paginate
): Stream.Stream<typeof LuccaWorker.Page.Type, Failure, LuccaClient.LuccaClient> => {
  const page = LuccaClient.Page(Schema.Unknown)
  return Stream.paginateChunkEffect(
    LuccaClient.firstPage(request.path, { limit: request.limit, urlParams: request.urlParams }),
    (next) =>
      Effect.map(
        exchange(next, page),
        ({ body, status, url }) => [Chunk.of({ status, url, items: body.items }), LuccaClient.nextPage(body)] as const
      )
  )
}

/** @internal */
export const setupError = (error: unknown): SetupError =>
  new SetupError({
    // a ConfigError's own string names the option ("Invalid data at accountUrl: ...")
    description: error instanceof Error && !ConfigError.isConfigError(error) ? error.message : String(error)
  })
