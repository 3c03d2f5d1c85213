import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as LuccaClient from "../LuccaClient.js"
import type * as LuccaError from "../LuccaError.js"
import type * as Body from "./body.js"
import * as Decode from "./decode.js"
import * as Http from "./http.js"
import * as Paginate from "./paginate.js"

// The helpers read bodies themselves, so the platform's `ResponseError` can only come from
// a `transformClient` (`filterStatusOk`, say): it is reported as the request failing, with
// its reason, so that the helpers' error channel holds one `HttpClientError` only.
const narrow = <E>(error: E): Exclude<E, HttpClientError.ResponseError> | HttpClientError.RequestError =>
  HttpClientError.isHttpClientError(error) && error._tag === "ResponseError"
    ? new HttpClientError.RequestError({
      request: error.request,
      reason: "Transport",
      description: `the answer was refused (${error.reason}, HTTP ${error.response.status})`
    })
    : error as Exclude<E, HttpClientError.ResponseError>

/**
 * The decoding and writing helpers over an authenticated account client (see
 * `LuccaClient.fromHttpClient`).
 *
 * @internal
 */
export const fromHttpClient = (
  httpClient: HttpClient.HttpClient.With<LuccaClient.RequestError>,
  options: {
    readonly accountUrl: URL
    readonly apiVersion: string
    readonly redact: (text: string) => string
    readonly bodyLimits: Body.Limits
    readonly grantedScopes: Effect.Effect<ReadonlyArray<string>, LuccaError.TokenError>
  }
): LuccaClient.Service => {
  const decodeOptions = { redact: options.redact, limits: options.bodyLimits }

  const exchange = <A, I, R>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I, R>) =>
    httpClient.execute(request).pipe(
      Effect.mapError(narrow),
      Effect.flatMap((response) =>
        Effect.map(Decode.decode(response, schema, decodeOptions), (value) => ({ value, response }))
      )
    )

  const executeDecoded = <A, I, R>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, R>
  ): Effect.Effect<A, LuccaClient.DecodedError, R> =>
    httpClient.execute(request).pipe(
      Effect.mapError(narrow),
      Effect.flatMap((response) => Decode.decode(response, schema, decodeOptions))
    )

  const get = <A, I, R>(path: string, schema: Schema.Schema<A, I, R>, options?: LuccaClient.RequestOptions) =>
    executeDecoded(HttpClientRequest.get(path, { urlParams: options?.urlParams ?? [] }), schema)

  const write = (method: "POST" | "PUT" | "PATCH") =>
  <A, I, R, B, BI, BR>(
    path: string,
    schema: Schema.Schema<A, I, R>,
    options: LuccaClient.WriteOptions<B, BI, BR>
  ): Effect.Effect<A, LuccaClient.DecodedError, R | BR> =>
    Effect.flatMap(
      encodeBody(HttpClientRequest.make(method)(path, { urlParams: options.urlParams ?? [] }), options),
      (request) => executeDecoded(request, schema)
    )

  const del = <A, I, R>(path: string, schema: Schema.Schema<A, I, R>, options?: LuccaClient.RequestOptions) =>
    executeDecoded(HttpClientRequest.del(path, { urlParams: options?.urlParams ?? [] }), schema)

  const paginate = <A, I, R>(
    path: string,
    item: Schema.Schema<A, I, R>,
    options?: LuccaClient.PaginateOptions
  ): Stream.Stream<A, LuccaClient.DecodedError, R> =>
    Paginate.paginate<A, I, R, LuccaClient.DecodedError, never>(Paginate.firstPage(path, options), item, exchange)

  return {
    accountUrl: options.accountUrl,
    apiVersion: options.apiVersion,
    grantedScopes: options.grantedScopes,
    redact: options.redact,
    httpClient,
    execute: httpClient.execute,
    executeDecoded,
    get,
    post: write("POST"),
    put: write("PUT"),
    patch: write("PATCH"),
    del,
    paginate
  }
}

/**
 * Encodes a write's body as JSON, through its schema when there is one. A body that cannot
 * be encoded is a `RequestError` (reason `Encode`) naming where, never a defect.
 *
 * @internal
 */
export const encodeBody = <B, BI, BR>(
  request: HttpClientRequest.HttpClientRequest,
  options: { readonly body?: B | undefined; readonly bodySchema?: Schema.Schema<B, BI, BR> | undefined }
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.RequestError, BR> => {
  if (!("body" in options) || options.body === undefined) return Effect.succeed(request)
  const encodeError = (description: string) =>
    new HttpClientError.RequestError({
      request: HttpClientRequest.setUrl(request, Http.displayUrl(request.url)),
      reason: "Encode",
      description
    })
  const encoded: Effect.Effect<unknown, HttpClientError.RequestError, BR> = options.bodySchema === undefined
    ? Effect.succeed(options.body)
    : Effect.mapError(Schema.encode(options.bodySchema)(options.body), (error) => {
      const { message, path } = Http.describeParseError(error)
      return encodeError(`the body does not match its schema at ${path === "" ? "the root" : path}: ${message}`)
    })
  return Effect.flatMap(
    encoded,
    (body) =>
      Effect.mapError(
        HttpClientRequest.bodyJson(request, body),
        () => encodeError("the body cannot be sent as JSON (a BigInt, a cycle or a function)")
      )
  )
}
