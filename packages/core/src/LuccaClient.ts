/**
 * The authenticated client of one Lucca account.
 *
 * Its `httpClient` resolves paths against the account URL, sends the bearer token,
 * `Api-Version` and `Accept: application/json`, and:
 * - on 401, invalidates the token it used, gets a fresh one and retries once (the server
 *   did not act, so this is safe for every method); a second 401 fails with `Unauthorized`;
 * - on 403, fails with `Forbidden`, never retried, explaining which scope is missing;
 * - retries 429 (after `Retry-After`), and 408, 502, 503, 504 and dropped connections for
 *   idempotent methods, and paces
 *   requests to Lucca's limit of 50 a minute per account;
 * - warns once per endpoint that answers with `Deprecation` or `Sunset`;
 * - returns every other status as a response. `json`, `get` and `paginate` decode bodies
 *   with a `Schema` and turn error statuses into `ApiError`.
 *
 * @see https://developers.lucca.fr/ (Get Started With Authentication)
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientTag from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as UrlParams from "@effect/platform/UrlParams"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as internal from "./internal/luccaClient.js"
import * as InternalOptions from "./internal/options.js"
import * as LuccaConfig from "./LuccaConfig.js"
import type * as LuccaError from "./LuccaError.js"
import * as LuccaRetry from "./LuccaRetry.js"
import * as TokenProvider from "./TokenProvider.js"

/**
 * What a request through the client can fail with, before its body is decoded.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientError =
  | HttpClientError.HttpClientError
  | LuccaError.TokenError
  | LuccaError.Unauthorized
  | LuccaError.Forbidden
  | LuccaError.ForeignOriginError

/**
 * What the decoding helpers can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type JsonError = ClientError | LuccaError.ApiError | LuccaError.ResponseDecodeError

/**
 * @since 0.1.0
 * @category models
 */
export interface PaginateOptions {
  /** Items per page (Lucca's default is 25, its maximum 100 on most endpoints). */
  readonly limit?: number | undefined
  /** Filters and other query parameters of the first page; `include=links` is added. */
  readonly urlParams?: UrlParams.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The account origin, such as `https://example.ilucca.net`. */
  readonly accountUrl: URL
  /** The `Api-Version` sent with every request (unless the request sets its own). */
  readonly apiVersion: string
  readonly tokenProvider: TokenProvider.Service
  /** The authenticated client: paths like `/lucca-api/employees` are resolved on the account. */
  readonly httpClient: HttpClient.HttpClient.With<ClientError>
  /** Shorthand for `httpClient.execute`. */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, ClientError>
  /** Executes a request and decodes a 2xx JSON body; an error status becomes `ApiError`. */
  readonly json: <A, I, R>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, R>
  ) => Effect.Effect<A, JsonError, R>
  /** `GET path` decoded with `schema`. */
  readonly get: <A, I, R>(
    path: string,
    schema: Schema.Schema<A, I, R>,
    options?: { readonly urlParams?: UrlParams.Input | undefined }
  ) => Effect.Effect<A, JsonError, R>
  /**
   * Every item of a cursor-paginated list, following `links.next.href` to the end. Pages
   * are fetched as the stream is pulled.
   */
  readonly paginate: <A, I, R>(
    path: string,
    item: Schema.Schema<A, I, R>,
    options?: PaginateOptions
  ) => Stream.Stream<A, JsonError, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LuccaClient extends Context.Tag("@effect-lucca/core/LuccaClient")<LuccaClient, Service>() {}

/**
 * The account side of the options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The account origin, such as `https://example.ilucca.net` (never the token host). */
  readonly accountUrl: string | URL
  /** Defaults to `2024-11-01`. */
  readonly apiVersion?: string | undefined
  /**
   * Applied to the underlying `HttpClient` before authentication, for example to add
   * tracing or retries of transport errors: whatever it retries is sent with the same token.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /**
   * Client-side pacing, so that a batch job stays under Lucca's limit: a token bucket that allows
   * `burst` requests at once and refills at `requests - burst` per `per`, so that no window
   * of `per` ever holds more than `requests`. Defaults to Lucca's limit: 50 a minute, burst
   * 5. Uses the `RateLimiter` in context when there is one (share it, or back it with Redis,
   * to share an account's budget between clients), a private memory store otherwise.
   * `false` turns pacing off.
   */
  readonly rateLimit?: RateLimitOptions | false | undefined
  /** Retries of 408, 429, 502, 503 and 504 answers and dropped connections; `false` turns them off. */
  readonly requestRetry?: RetryOptions | false | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Defaults to 50 (Lucca's limit per account). */
  readonly requests?: number | undefined
  /** Defaults to one minute. */
  readonly per?: Duration.DurationInput | undefined
  /** Defaults to 5; must be below `requests`. */
  readonly burst?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Delays between attempts; defaults to `LuccaRetry.defaultBackoff`. `Retry-After` is honoured on top. */
  readonly backoff?: Schedule.Schedule<unknown, LuccaRetry.RequestOutcome> | undefined
  /** Defaults to 5. */
  readonly times?: number | undefined
  /**
   * The longest `Retry-After` the client waits for; a longer one (or a skewed HTTP date)
   * ends the retries and the answer is returned, its `retryAfterMillis` on the `ApiError`.
   * Defaults to one minute, Lucca's rate-limit window.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * Also retry POST and PATCH. Off by default: a 503, a 408 or a dropped connection does
   * not prove the server did nothing, and a second POST may create a second leave.
   */
  readonly nonIdempotent?: boolean | undefined
}

const pacing = (options: RateLimitOptions | false | undefined, accountOrigin: string) =>
  Effect.gen(function*() {
    if (options === false) return undefined
    const requests = yield* InternalOptions.option(
      "rateLimit.requests",
      options?.requests ?? 50,
      InternalOptions.checkCount
    )
    const burst = yield* InternalOptions.option("rateLimit.burst", options?.burst ?? 5, InternalOptions.checkCount)
    if (burst >= requests) return yield* InternalOptions.invalid("rateLimit.burst", "must be below rateLimit.requests")
    const per = yield* InternalOptions.option(
      "rateLimit.per",
      options?.per ?? Duration.minutes(1),
      InternalOptions.checkDuration
    )
    const limiter = yield* Effect.serviceOption(RateLimiter.RateLimiter).pipe(
      Effect.flatMap(Option.match({
        onSome: Effect.succeed,
        onNone: () => Effect.provide(RateLimiter.make, RateLimiter.layerStoreMemory)
      }))
    )
    // refill `burst` tokens every `window`: (requests - burst) per `per`
    const window = Duration.times(per, burst / (requests - burst))
    return limiter.consume({
      algorithm: "token-bucket",
      onExceeded: "delay",
      key: `effect-lucca:${accountOrigin}`,
      limit: burst,
      window
    }).pipe(
      Effect.flatMap(({ delay }) => Duration.isZero(delay) ? Effect.void : Effect.sleep(delay)),
      // a shared store that fails (Redis down) must not stop the requests
      Effect.catchAll((error) => Effect.logWarning("Lucca request pacing is unavailable", error))
    )
  })

const retrySettings = (options: RetryOptions | false | undefined) =>
  Effect.gen(function*() {
    if (options === false) return undefined
    const times = yield* InternalOptions.option("requestRetry.times", options?.times ?? 5, InternalOptions.checkCount)
    const maxRetryAfter = yield* InternalOptions.option(
      "requestRetry.maxRetryAfter",
      options?.maxRetryAfter ?? Duration.minutes(1),
      InternalOptions.checkDuration
    )
    return {
      backoff: options?.backoff ?? LuccaRetry.defaultBackoff,
      times,
      nonIdempotent: options?.nonIdempotent ?? false,
      maxRetryAfter
    }
  })

/**
 * A client application (credentials and cache options) and the account it calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ClientOptions, TokenProvider.Options {}

/**
 * A client over a token provider of your own (for example one that asks your backend for
 * tokens), using the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithTokenProvider = (
  tokenProvider: TokenProvider.Service,
  options: ClientOptions
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const accountUrl = yield* InternalOptions.option("accountUrl", options.accountUrl, InternalOptions.checkAccountUrl)
    const apiVersion = yield* InternalOptions.option(
      "apiVersion",
      options.apiVersion ?? LuccaConfig.defaultApiVersion,
      InternalOptions.checkApiVersion
    )
    const client = yield* HttpClientTag.HttpClient
    return internal.make({
      accountUrl,
      apiVersion,
      tokenProvider,
      httpClient: options.transformClient === undefined ? client : options.transformClient(client),
      pace: yield* pacing(options.rateLimit, accountUrl.origin),
      retry: yield* retrySettings(options.requestRetry)
    })
  })

/**
 * A client with its own cached client credentials `TokenProvider`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    // check the account first: a wrong account URL is the likelier mistake to report
    yield* InternalOptions.option("accountUrl", options.accountUrl, InternalOptions.checkAccountUrl)
    const tokenProvider = yield* TokenProvider.make(options)
    return yield* makeWithTokenProvider(tokenProvider, options)
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LuccaClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(LuccaClient, make(options))

/**
 * A client configured from `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET`, `LUCCA_SCOPES`,
 * `LUCCA_ACCOUNT_URL` and the optional `LUCCA_TOKEN_URL` and `LUCCA_API_VERSION` (see
 * `LuccaConfig`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: LuccaConfig.ClientConfig = LuccaConfig.client,
  options?: Omit<Options, keyof LuccaConfig.Client>
): Layer.Layer<LuccaClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(LuccaClient, Effect.flatMap(config, (fromConfig) => make({ ...options, ...fromConfig })))

/**
 * A client over the `TokenProvider` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithTokenProvider = (
  options: ClientOptions
): Layer.Layer<LuccaClient, ConfigError.ConfigError, HttpClient.HttpClient | TokenProvider.TokenProvider> =>
  Layer.effect(
    LuccaClient,
    Effect.flatMap(TokenProvider.TokenProvider, (provider) => makeWithTokenProvider(provider, options))
  )

/**
 * `get` on the `LuccaClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const get = <A, I, R>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options?: { readonly urlParams?: UrlParams.Input | undefined }
): Effect.Effect<A, JsonError, R | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.get(path, schema, options))

/**
 * `json` on the `LuccaClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const json = <A, I, R>(
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<A, I, R>
): Effect.Effect<A, JsonError, R | LuccaClient> => Effect.flatMap(LuccaClient, (client) => client.json(request, schema))

/**
 * `paginate` on the `LuccaClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = <A, I, R>(
  path: string,
  item: Schema.Schema<A, I, R>,
  options?: PaginateOptions
): Stream.Stream<A, JsonError, R | LuccaClient> =>
  Stream.unwrap(Effect.map(LuccaClient, (client) => client.paginate(path, item, options)))

/**
 * Decodes a response as `json` does: a 2xx JSON body (or an empty 204) with `schema`, and
 * an error status as an `ApiError` with the fields of its `application/problem+json` body.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7807
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse: <A, I, R>(
  response: HttpClientResponse.HttpClientResponse,
  schema: Schema.Schema<A, I, R>
) => Effect.Effect<A, LuccaError.ApiError | LuccaError.ResponseDecodeError, R> = internal.decode

/**
 * A page of a Lucca list as `paginate` reads it: `{ items, links?: { next?: { href } } }`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const Page: <A, I, R>(item: Schema.Schema<A, I, R>) => Schema.Struct<{
  items: Schema.Array$<Schema.Schema<A, I, R>>
  links: Schema.optional<
    Schema.NullOr<
      Schema.Struct<{ next: Schema.optional<Schema.NullOr<Schema.Struct<{ href: typeof Schema.String }>>> }>
    >
  >
}> = internal.pageSchema

/**
 * The request for the first page of a list: `include=links` (added to any other `include`),
 * `limit` and the caller's filters.
 *
 * @since 0.1.0
 * @category pagination
 */
export const firstPage: (path: string, options?: PaginateOptions) => HttpClientRequest.HttpClientRequest =
  internal.firstPage

/**
 * The request for the page after `page`, following `links.next.href`; `None` at the end.
 *
 * @since 0.1.0
 * @category pagination
 */
export const nextPage: (
  page: { readonly links?: { readonly next?: { readonly href: string } | null | undefined } | null | undefined }
) => Option.Option<HttpClientRequest.HttpClientRequest> = internal.nextPage
