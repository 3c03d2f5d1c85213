import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as LuccaClient from "../LuccaClient.js"
import type * as LuccaError from "../LuccaError.js"
import type * as Body from "./body.js"
import * as Decode from "./decode.js"
import * as Http from "./http.js"
import * as Paginate from "./paginate.js"

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

  const exchange = <S extends Schema.Top>(request: HttpClientRequest.HttpClientRequest, schema: S) =>
    Effect.flatMap(
      httpClient.execute(request),
      (response) => Effect.map(Decode.decode(response, schema, decodeOptions), (value) => ({ value, response }))
    )

  const executeDecoded = <S extends Schema.Top>(
    request: HttpClientRequest.HttpClientRequest,
    schema: S
  ): Effect.Effect<S["Type"], LuccaClient.DecodedError, S["DecodingServices"]> =>
    Effect.flatMap(httpClient.execute(request), (response) => Decode.decode(response, schema, decodeOptions))

  const get = <S extends Schema.Top>(path: string, schema: S, options?: LuccaClient.RequestOptions) =>
    executeDecoded(HttpClientRequest.get(path, { urlParams: options?.urlParams ?? [] }), schema)

  const write = (method: "POST" | "PUT" | "PATCH") =>
  <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: LuccaClient.WriteOptions<B>
  ): Effect.Effect<S["Type"], LuccaClient.DecodedError, S["DecodingServices"] | B["EncodingServices"]> =>
    Effect.flatMap(
      encodeBody(HttpClientRequest.make(method)(path, { urlParams: options.urlParams ?? [] }), options),
      (request) => executeDecoded(request, schema)
    )

  const del = <S extends Schema.Top>(path: string, schema: S, options?: LuccaClient.RequestOptions) =>
    executeDecoded(HttpClientRequest.delete(path, { urlParams: options?.urlParams ?? [] }), schema)

  const paginate = <S extends Schema.Top>(
    path: string,
    item: S,
    options?: LuccaClient.PaginateOptions
  ): Stream.Stream<S["Type"], LuccaClient.DecodedError, S["DecodingServices"]> =>
    Paginate.paginate<S, LuccaClient.DecodedError, never>(Paginate.firstPage(path, options), item, exchange)

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
 * be encoded is an `HttpClientError` (reason `EncodeError`) naming where, never a defect.
 *
 * @internal
 */
export const encodeBody = <B extends Schema.Top>(
  request: HttpClientRequest.HttpClientRequest,
  options: { readonly body?: B["Type"] | undefined; readonly bodySchema?: B | undefined }
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.HttpClientError, B["EncodingServices"]> => {
  if (!("body" in options) || options.body === undefined) return Effect.succeed(request)
  const encodeError = (description: string) =>
    new HttpClientError.HttpClientError({
      reason: new HttpClientError.EncodeError({
        request: HttpClientRequest.setUrl(request, Http.displayUrl(request.url)),
        description
      })
    })
  const encoded: Effect.Effect<unknown, HttpClientError.HttpClientError, B["EncodingServices"]> =
    options.bodySchema === undefined
      ? Effect.succeed(options.body)
      : Effect.mapError(
        Schema.encodeUnknownEffect(options.bodySchema as any as Schema.Encoder<unknown, B["EncodingServices"]>)(
          options.body
        ),
        (error) => {
          const { message, path } = Http.describeIssue(error.issue)
          return encodeError(`the body does not match its schema at ${path === "" ? "the root" : path}: ${message}`)
        }
      )
  return Effect.flatMap(
    encoded,
    (body) =>
      Effect.mapError(
        HttpClientRequest.bodyJson(request, body),
        () => encodeError("the body cannot be sent as JSON (a BigInt, a cycle or a function)")
      )
  )
}
