import { LuccaClient, LuccaError } from "@effect-lucca/core"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
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

const parseJson = (text: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) }
  } catch {
    return undefined
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

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

const optionalString = (body: Record<string, unknown>, key: string): { readonly [key: string]: string } =>
  typeof body[key] === "string" ? { [key]: body[key] } : {}

/**
 * An error status as the core's `LuccaClient.json` reports it: an `ApiError` with the RFC
 * 7807 fields of a problem+json body. The worker reads the response itself (rather than
 * through `json`) because the page needs the status and URL of successful answers too.
 */
const apiError = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  text: string
) =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const body = parseJson(text)?.value
    const problem = isRecord(body) ? body : {}
    const extensions = isRecord(problem.extensions) ? problem.extensions : {}
    const traceId = optionalString(extensions, "traceId").traceId ?? optionalString(problem, "traceId").traceId
    const errors = isRecord(problem.errors)
      ? Object.fromEntries(
        Object.entries(problem.errors).map((
          [field, messages]
        ) => [field, Array.isArray(messages) ? messages.map(String) : [String(messages)]])
      )
      : undefined
    const retryAfter = response.headers["retry-after"]?.trim()
    const retryAfterMillis = retryAfter === undefined
      ? undefined
      : /^\d+$/.test(retryAfter)
      ? Number(retryAfter) * 1000
      : Number.isNaN(Date.parse(retryAfter))
      ? undefined
      : Math.max(0, Date.parse(retryAfter) - now)
    return new LuccaError.ApiError({
      method: request.method,
      url: displayUrl(response.request.url),
      status: response.status,
      ...optionalString(problem, "type"),
      ...optionalString(problem, "title"),
      ...optionalString(problem, "detail"),
      ...optionalString(problem, "instance"),
      ...(errors === undefined ? {} : { errors }),
      ...(traceId === undefined ? {} : { traceId }),
      ...(retryAfterMillis === undefined ? {} : { retryAfterMillis })
    })
  })

/** Sends `request` through the worker's client and reads a JSON answer. */
const exchange = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<typeof LuccaWorker.JsonResponse.Type, Failure, LuccaClient.LuccaClient> =>
  Effect.gen(function*() {
    const client = yield* LuccaClient.LuccaClient
    const response = yield* Effect.mapError(client.execute(request), toFailure)
    const url = displayUrl(response.request.url)
    const context = { method: request.method, url, status: response.status }
    const text = yield* Effect.mapError(response.text, () =>
      new LuccaError.ResponseDecodeError({ ...context, path: "", description: "the body could not be read" }))
    if (response.status < 200 || response.status >= 300) {
      return yield* Effect.flip(apiError(request, response, text))
    }
    if (text === "" && response.status === 204) {
      return { status: response.status, url, body: null }
    }
    const json = parseJson(text)
    if (json === undefined) {
      return yield* new LuccaError.ResponseDecodeError({
        ...context,
        path: "",
        description: "the body is not valid JSON"
      })
    }
    return { status: response.status, url, body: json.value }
  })

/** @internal */
export const get = (request: LuccaWorker.Get) =>
  exchange(HttpClientRequest.get(request.path, { urlParams: request.urlParams }))

/** @internal */
export const post = (request: LuccaWorker.Post) =>
  exchange(
    HttpClientRequest.post(request.path, { urlParams: request.urlParams }).pipe(
      HttpClientRequest.bodyUnsafeJson(request.body)
    )
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
  const params = UrlParams.fromInput(request.urlParams)
  const include = UrlParams.getFirst(params, "include").pipe(
    Option.map((value) => value.split(",").includes("links") ? value : `${value},links`),
    Option.getOrElse(() => "links")
  )
  const first = HttpClientRequest.get(request.path, {
    urlParams: UrlParams.setAll(params, {
      include,
      ...(request.limit === undefined ? {} : { limit: String(request.limit) })
    })
  })
  return Stream.paginateChunkEffect(first, (next) =>
    Effect.flatMap(exchange(next), (response) => {
      const body = response.body
      const links = isRecord(body) && isRecord(body.links) ? body.links : undefined
      const href = links !== undefined && isRecord(links.next) ? links.next.href : undefined
      if (!isRecord(body) || !Array.isArray(body.items) || (href !== undefined && typeof href !== "string")) {
        return new LuccaError.ResponseDecodeError({
          method: "GET",
          url: response.url,
          status: response.status,
          path: isRecord(body) && !Array.isArray(body.items) ? "items" : "",
          description: "is not a page of a Lucca list ({ items, links })"
        })
      }
      const page = { status: response.status, url: response.url, items: body.items }
      return Effect.succeed(
        [
          Chunk.of(page),
          typeof href === "string" && href !== "" ? Option.some(HttpClientRequest.get(href)) : Option.none()
        ] as const
      )
    }))
}

/** @internal */
export const setupError = (error: unknown): SetupError =>
  new SetupError({
    // a ConfigError's own string names the option ("Invalid data at accountUrl: ...")
    description: error instanceof Error && !ConfigError.isConfigError(error) ? error.message : String(error)
  })
