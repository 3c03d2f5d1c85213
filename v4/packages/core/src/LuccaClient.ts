/**
 * The authenticated client of one Lucca account, one `pipe` of public steps (each in a
 * module of its own, its implementation under `internal/`), from the bytes out:
 *
 * 1. `TokenProvider.authenticate` over the platform `HttpClient`: the bearer token is
 *    added last, only when the final URL is on the account origin; a 401 invalidates the
 *    token it used and is retried once with a fresh one (a second 401, or a 401 on a body
 *    that cannot be sent twice, fails with `Unauthorized`); a 403 fails with `Forbidden`,
 *    explaining which scope is missing;
 * 2. your `transformClient`, if any;
 * 3. `LuccaPacing.pace`: pacing to Lucca's limit of 50 requests a minute per account, on
 *    the `LuccaPacing.RateBudget` in context;
 * 4. `LuccaRetry.retry`: 429 (after `Retry-After`) for every method; 408, 500, 502, 503,
 *    504 and dropped connections for idempotent methods; never a request whose body
 *    cannot be sent twice (a stream: its answer is returned as it came);
 * 5. `LuccaDeprecation.warnOnDeprecation`: one warning per endpoint that answers with
 *    `Deprecation` or `Sunset`;
 * 6. `LuccaAccount.resolve`: `Api-Version` and `Accept: application/json`, and paths
 *    resolved on the account origin (`ForeignOriginError` for any other origin).
 *
 * Every other status is returned as a response. `get`, `post`, `put`, `patch`, `del`,
 * `executeDecoded` and `paginate` read bodies with a `Schema` and turn error statuses into
 * `ApiError`. {@link fromHttpClient} puts them over a client you assembled yourself from
 * the same steps (for example over a token provider of your own).
 *
 * @see https://developers.lucca.fr/ (Get Started With Authentication)
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as UrlParams from "effect/http/UrlParams"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { jsonLimits as defaultBodyLimits } from "./internal/body.js"
import * as Decode from "./internal/decode.js"
import * as internal from "./internal/luccaClient.js"
import * as InternalOptions from "./internal/options.js"
import * as Paginate from "./internal/paginate.js"
import * as InternalTokenProvider from "./internal/tokenProvider.js"
import * as LuccaAccount from "./LuccaAccount.js"
import * as LuccaConfig from "./LuccaConfig.js"
import * as LuccaDeprecation from "./LuccaDeprecation.js"
import type * as LuccaError from "./LuccaError.js"
import * as LuccaPacing from "./LuccaPacing.js"
import * as LuccaRetry from "./LuccaRetry.js"
import * as TokenProvider from "./TokenProvider.js"

/**
 * What a request through `httpClient` can fail with: Effect's `HttpClientError`, and
 * what authentication adds (see `TokenProvider.authenticate`).
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError = HttpClientError.HttpClientError | LuccaError.AuthenticationError

/**
 * What the decoding helpers (`get`, `post`, `put`, `patch`, `del`, `executeDecoded`,
 * `paginate`) can fail with: a request that could not be sent (an `HttpClientError` whose
 * `reason` is a `TransportError` or an `EncodeError`, or whatever a `transformClient`
 * fails with), an authentication failure, an error status (`ApiError`) or a body that does
 * not match (`ResponseDecodeError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type DecodedError =
  | HttpClientError.HttpClientError
  | LuccaError.AuthenticationError
  | LuccaError.ApiError
  | LuccaError.ResponseDecodeError

/**
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Query parameters. */
  readonly urlParams?: UrlParams.Input | undefined
}

/**
 * The body of a write: `body`, encoded with `bodySchema` when given (so that dates,
 * branded ids and the like go out in their wire form), then sent as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface WriteOptions<B extends Schema.Top = Schema.Unknown> extends RequestOptions {
  readonly body?: B["Type"] | undefined
  readonly bodySchema?: B | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PaginateOptions extends RequestOptions {
  /** Items per page (Lucca's default is 25, its maximum 100 on most endpoints). */
  readonly limit?: number | undefined
}

/**
 * The request helpers of a client, whatever it fails with (`E`): `Service` has them with
 * {@link DecodedError}, and a client of your own can offer the same shape (as the Effect 3
 * line's `@effect-lucca/platform-browser` `LuccaWorkerClient` does, with the failures that
 * cross a worker boundary).
 *
 * @since 0.1.0
 * @category models
 */
export interface Requests<E> {
  /** `GET path`, the answer decoded with `schema`. */
  readonly get: <S extends Schema.Top>(
    path: string,
    schema: S,
    options?: RequestOptions
  ) => Effect.Effect<S["Type"], E, S["DecodingServices"]>
  /** `POST path` with a JSON body, the answer decoded with `schema`. Not retried on 408 or 503 unless opted in. */
  readonly post: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: WriteOptions<B>
  ) => Effect.Effect<S["Type"], E, S["DecodingServices"] | B["EncodingServices"]>
  /** `PUT path` with a JSON body, the answer decoded with `schema`. */
  readonly put: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: WriteOptions<B>
  ) => Effect.Effect<S["Type"], E, S["DecodingServices"] | B["EncodingServices"]>
  /** `PATCH path` with a JSON body, the answer decoded with `schema`. Not retried on 408 or 503 unless opted in. */
  readonly patch: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: WriteOptions<B>
  ) => Effect.Effect<S["Type"], E, S["DecodingServices"] | B["EncodingServices"]>
  /** `DELETE path`, the answer decoded with `schema` (`Schema.Void` for a 204). */
  readonly del: <S extends Schema.Top>(
    path: string,
    schema: S,
    options?: RequestOptions
  ) => Effect.Effect<S["Type"], E, S["DecodingServices"]>
  /**
   * Every item of a cursor-paginated list, following `links.next.href` to the end. Pages
   * are fetched as the stream is pulled; a `next` link back to a page already read fails
   * with `ResponseDecodeError` on `links.next.href`.
   */
  readonly paginate: <S extends Schema.Top>(
    path: string,
    item: S,
    options?: PaginateOptions
  ) => Stream.Stream<S["Type"], E, S["DecodingServices"]>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service extends Requests<DecodedError> {
  /** The account origin, such as `https://example.ilucca.net`. */
  readonly accountUrl: URL
  /** The `Api-Version` sent with every request (unless the request sets its own). */
  readonly apiVersion: string
  /**
   * The scopes granted to the client application, as its current token says (the token
   * itself is never handed out).
   *
   * @since 0.1.0
   */
  readonly grantedScopes: Effect.Effect<ReadonlyArray<string>, LuccaError.TokenError>
  /**
   * Its token provider's `redact`: replaces every token the client held lately and every
   * encoding of its secret with `<redacted>`, for texts a server sent back that leave the
   * client by another way than its errors (a worker's messages, a trace file).
   *
   * @since 0.1.0
   */
  readonly redact: (text: string) => string
  /** The authenticated client: paths like `/lucca-api/employees` are resolved on the account. */
  readonly httpClient: HttpClient.HttpClient.With<RequestError>
  /** Shorthand for `httpClient.execute`. */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, RequestError>
  /** Executes a request and decodes a 2xx JSON body with `schema`; an error status becomes `ApiError`. */
  readonly executeDecoded: <S extends Schema.Top>(
    request: HttpClientRequest.HttpClientRequest,
    schema: S
  ) => Effect.Effect<S["Type"], DecodedError, S["DecodingServices"]>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LuccaClient extends Context.Service<LuccaClient, Service>()("@effect-lucca/core/LuccaClient") {}

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
   * Applied to the authenticated platform client, below pacing and retries: for example
   * tracing, or `HttpClient.followRedirects()`. Whatever it does to a request, the token
   * is added after it, and only for the account origin.
   */
  // a method, so that a transform written for a plain `HttpClient` (whose errors are only
  // `HttpClientError`) is accepted: it passes the authentication errors through
  transformClient?(client: HttpClient.HttpClient.With<RequestError>): HttpClient.HttpClient.With<RequestError>
  /**
   * Client-side pacing, so that a batch job stays under Lucca's limit: a token bucket that
   * allows `burst` requests at once and refills at `requests - burst` per `per` (and 0.5 %
   * of it, left for network jitter), so that no window of `per` ever holds more than
   * `requests`. Defaults to Lucca's limit: 50 a
   * minute, burst 5. The budget is the account's, as Lucca counts it: every client of the
   * same account origin in the process draws on one bucket, whatever its client
   * application (clients of one account should agree on these settings: each request
   * counts with its own). The budget is the `LuccaPacing.RateBudget` in context: provide
   * another (for example `LuccaRedis.layer`, shared across processes) to replace it.
   * `false` turns pacing off.
   */
  readonly rateLimit?: RateLimitOptions | false | undefined
  /** Retries of 408, 429, 500, 502, 503 and 504 answers and dropped connections; `false` turns them off. */
  readonly requestRetry?: RetryOptions | false | undefined
  /**
   * Limits on the 2xx bodies the decoding helpers read: at most `maxBytes` (default 32
   * MiB) within `timeout` (default 30 s), else a `ResponseDecodeError`. Error bodies
   * (problem+json) are read up to 1 MiB within 10 s.
   *
   * @since 0.1.0
   */
  readonly responseBody?: {
    readonly maxBytes?: number | undefined
    readonly timeout?: Duration.Input | undefined
  } | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Defaults to 50 (Lucca's limit per account). */
  readonly requests?: number | undefined
  /** Defaults to one minute. */
  readonly per?: Duration.Input | undefined
  /** Defaults to 5; must be below `requests`. */
  readonly burst?: number | undefined
}

/**
 * The retries of the client (see `LuccaRetry.retry`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions extends LuccaRetry.Options {}

/**
 * A client application (credentials and cache options) and the account it calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ClientOptions, TokenProvider.Options {}

/**
 * The account and a token provider of your own (for example one that asks your backend
 * for tokens, on a page where no secret may go), in place of a client application.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithTokenProvider extends ClientOptions {
  readonly tokenProvider: TokenProvider.Service
}

const hasTokenProvider = (options: Options | WithTokenProvider): options is WithTokenProvider =>
  "tokenProvider" in options && options.tokenProvider !== undefined

const providerOf = (
  options: Options | WithTokenProvider,
  accountUrl: URL
): Effect.Effect<TokenProvider.Service, Config.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  hasTokenProvider(options)
    ? Effect.succeed(options.tokenProvider)
    : Effect.flatMap(
      InternalOptions.decodeProvider(options),
      (credentials) =>
        Effect.andThen(
          InternalOptions.tokenUrlHint(accountUrl, credentials.tokenUrl),
          InternalTokenProvider.makeClientCredentials(credentials)
        )
    )

// `authenticate` and `resolve` refuse a bad account origin on each request, with a
// `ConfigError`; `make` refused it when the options were decoded, so they never do here
const originChecked = <E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<Exclude<E, Config.ConfigError>, R> =>
  client as HttpClient.HttpClient.With<Exclude<E, Config.ConfigError>, R>

/**
 * A client with its own cached client credentials `TokenProvider` (or the `tokenProvider`
 * you give), over the `HttpClient` in context: one pipe of the steps
 * `TokenProvider.authenticate`, your `transformClient`, `LuccaPacing.pace`,
 * `LuccaRetry.retry`, `LuccaDeprecation.warnOnDeprecation` and `LuccaAccount.resolve`. Its
 * provider shares tokens through the `TokenStore` in context (none by default), and pacing
 * draws on the `LuccaPacing.RateBudget` in context (the process-wide budget of the account
 * by default). Options are checked first: a `ConfigError` names the bad one.
 *
 * @example
 * ```ts
 * import { LuccaClient, TokenProvider } from "@effect-lucca/core"
 * import { Effect, Redacted, Schema } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const lucca = yield* LuccaClient.make({
 *     clientId: "my-client-id",
 *     clientSecret: Redacted.make("my-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   })
 *   return yield* lucca.get("/lucca-api/employees/1", Schema.Struct({ id: Schema.String }))
 * }) // Effect<{ id: string }, ..., HttpClient | Scope>
 *
 * // over a token provider of your own
 * const withMyTokens = LuccaClient.make({
 *   accountUrl: "https://example.ilucca.net",
 *   tokenProvider: TokenProvider.makeStatic("a-token-from-my-backend")
 * }) // Effect<LuccaClient.Service, ConfigError, HttpClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(options: WithTokenProvider): Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient>
export function make(
  options: Options | WithTokenProvider
): Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient | Scope.Scope>
export function make(
  options: Options | WithTokenProvider
): Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient | Scope.Scope> {
  return Effect.gen(function*() {
    // the account first: a wrong account URL is the likelier mistake to report
    const account = yield* InternalOptions.decodeClient(options)
    const provider = yield* providerOf(options, account.accountUrl)
    const budget = yield* LuccaPacing.RateBudget
    const { accountUrl, apiVersion, rateLimit, requestRetry } = account
    const origin = accountUrl.origin
    const pacing = rateLimit === false ? undefined : { ...rateLimit, origin, budget }
    const httpClient = (yield* HttpClient.HttpClient).pipe(
      // the one request this step sends on its own, the retry after a 401, takes a turn too
      TokenProvider.authenticate(provider, { origin, beforeRetry: pacing && LuccaPacing.turn(pacing) }),
      originChecked,
      account.transformClient ?? identity,
      pacing === undefined ? identity : LuccaPacing.pace({ ...pacing, awaitToken: provider.get }),
      requestRetry === false ? identity : LuccaRetry.retry({
        backoff: requestRetry.backoff,
        times: requestRetry.times,
        maxRetryAfter: requestRetry.maxRetryAfter,
        nonIdempotent: requestRetry.nonIdempotent
      }),
      LuccaDeprecation.warnOnDeprecation(apiVersion),
      LuccaAccount.resolve(accountUrl, apiVersion),
      originChecked
    )
    return internal.fromHttpClient(httpClient, {
      accountUrl,
      apiVersion,
      redact: provider.redact,
      grantedScopes: Effect.map(provider.get, (token) => token.scopes),
      bodyLimits: account.responseBody
    })
  })
}

/**
 * {@link make} as a layer. Provide a `TokenStore` or a `LuccaPacing.RateBudget` below it
 * (for example `LuccaRedis.layer`, which provides both) to share tokens and budget.
 *
 * @example
 * ```ts
 * import { LuccaClient, TokenProvider } from "@effect-lucca/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const LuccaLive = LuccaClient.layer({
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"],
 *   accountUrl: "https://example.ilucca.net"
 * }) // Layer<LuccaClient, ConfigError, HttpClient>
 *
 * // over the TokenProvider in context
 * const OverMyTokens = Layer.unwrap(
 *   Effect.map(
 *     TokenProvider.TokenProvider,
 *     (tokenProvider) => LuccaClient.layer({ accountUrl: "https://example.ilucca.net", tokenProvider })
 *   )
 * ) // Layer<LuccaClient, ConfigError, HttpClient | TokenProvider>
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options | WithTokenProvider
): Layer.Layer<LuccaClient, Config.ConfigError, HttpClient.HttpClient> => Layer.effect(LuccaClient, make(options))

/**
 * A client configured through `Config`, as Effect's own clients are: either one `Config`
 * of the options (by default `LuccaConfig.client`: `LUCCA_CLIENT_ID`,
 * `LUCCA_CLIENT_SECRET`, `LUCCA_SCOPES`, `LUCCA_ACCOUNT_URL` and the optional
 * `LUCCA_TOKEN_URL`, `LUCCA_API_VERSION`), or a record of a `Config` per option. Other
 * options come as plain values.
 *
 * @example
 * ```ts
 * import { LuccaClient, LuccaConfig } from "@effect-lucca/core"
 * import { Config, Schema } from "effect"
 *
 * // reads PAYROLL_LUCCA_CLIENT_ID, PAYROLL_LUCCA_CLIENT_SECRET, ...
 * const PayrollLive = LuccaClient.layerConfig(Config.nested(LuccaConfig.client, "PAYROLL"), {
 *   rateLimit: { requests: 20 }
 * })
 *
 * // or one Config per option, read from wherever you keep them
 * const DirectoryLive = LuccaClient.layerConfig({
 *   clientId: Config.String("DIRECTORY_CLIENT_ID"),
 *   clientSecret: Config.Redacted("DIRECTORY_CLIENT_SECRET"),
 *   scopes: Config.Array(Schema.String, "DIRECTORY_SCOPES"),
 *   accountUrl: Config.String("LUCCA_ACCOUNT_URL")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Wrap<Options> = LuccaConfig.client,
  options?: Omit<Options, keyof LuccaConfig.Client>
): Layer.Layer<LuccaClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LuccaClient,
    Effect.flatMap(Config.unwrap(config), (fromConfig) => make({ ...options, ...fromConfig } as Options))
  )

/**
 * The helpers of a `LuccaClient` (`get`, `post`, `paginate`, ...) over a client you
 * assembled yourself from the steps {@link make} uses: for example one authenticated by a
 * token provider of your own (one that asks your backend for tokens). `redact` and
 * `grantedScopes` usually come from that provider; `apiVersion` defaults to
 * `LuccaConfig.defaultApiVersion`, `responseBody` to 32 MiB within 30 s. The `ConfigError`
 * with which `TokenProvider.authenticate` and `LuccaAccount.resolve` refuse a bad account
 * origin fails the request as an `HttpClientError` (reason `InvalidUrlError`), with its
 * message.
 *
 * @example
 * ```ts
 * import {
 *   LuccaAccount,
 *   LuccaClient,
 *   LuccaDeprecation,
 *   LuccaPacing,
 *   LuccaRetry,
 *   TokenProvider
 * } from "@effect-lucca/core"
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * const accountUrl = new URL("https://example.ilucca.net")
 * const apiVersion = "2024-11-01"
 *
 * const client = Effect.gen(function*() {
 *   const provider = TokenProvider.makeStatic("a-token-from-my-backend")
 *   const origin = accountUrl.origin
 *   const httpClient = (yield* HttpClient.HttpClient).pipe(
 *     TokenProvider.authenticate(provider, { origin, beforeRetry: LuccaPacing.turn({ origin }) }),
 *     LuccaPacing.pace({ origin, awaitToken: provider.get }),
 *     LuccaRetry.retry(),
 *     LuccaDeprecation.warnOnDeprecation(apiVersion),
 *     LuccaAccount.resolve(accountUrl, apiVersion)
 *   )
 *   return LuccaClient.fromHttpClient(httpClient, {
 *     accountUrl,
 *     apiVersion,
 *     redact: provider.redact,
 *     grantedScopes: Effect.map(provider.get, (token) => token.scopes)
 *   })
 * }) // Effect<LuccaClient.Service, never, HttpClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHttpClient = (
  httpClient: HttpClient.HttpClient.With<RequestError | Config.ConfigError>,
  options: {
    readonly accountUrl: URL
    readonly apiVersion?: string | undefined
    readonly redact: (text: string) => string
    readonly grantedScopes: Effect.Effect<ReadonlyArray<string>, LuccaError.TokenError>
    readonly responseBody?: ClientOptions["responseBody"]
  }
): Service =>
  internal.fromHttpClient(
    HttpClient.makeWith<never, never, RequestError, never>(
      Effect.flatMap((request) =>
        Effect.catchIf(
          httpClient.execute(request),
          (error): error is Config.ConfigError => error instanceof Config.ConfigError,
          (error) =>
            Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.InvalidUrlError({ request, description: error.message })
              })
            )
        )
      ),
      Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
    ),
    {
      accountUrl: options.accountUrl,
      apiVersion: options.apiVersion ?? LuccaConfig.defaultApiVersion,
      redact: options.redact,
      grantedScopes: options.grantedScopes,
      bodyLimits: {
        maxBytes: options.responseBody?.maxBytes ?? defaultBodyLimits.maxBytes,
        timeout: options.responseBody?.timeout === undefined
          ? defaultBodyLimits.timeout
          : Duration.fromInputUnsafe(options.responseBody.timeout)
      }
    }
  )

/**
 * `get` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * const LegalEntity = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * const entity = LuccaClient.get("/lucca-api/legal-entities/1", LegalEntity)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const get = <S extends Schema.Top>(
  path: string,
  schema: S,
  options?: RequestOptions
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.get(path, schema, options))

/**
 * `post` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * const NewEndpoint = Schema.Struct({
 *   name: Schema.String,
 *   webhookUrl: Schema.URL, // a URL in the program, a string on the wire
 *   apiVersion: Schema.String,
 *   topics: Schema.Array(Schema.String)
 * })
 * const created = LuccaClient.post("/lucca-api/webhook-endpoints", Schema.Struct({ id: Schema.String }), {
 *   body: {
 *     name: "HR sync",
 *     webhookUrl: new URL("https://hooks.example.com/lucca"),
 *     apiVersion: "2024-11-01",
 *     topics: ["employee.created"]
 *   },
 *   bodySchema: NewEndpoint
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const post = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: WriteOptions<B>
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | B["EncodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.post(path, schema, options))

/**
 * `put` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * const updated = LuccaClient.put("/lucca-api/departments/4", Schema.Unknown, { body: { name: "R&D" } })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const put = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: WriteOptions<B>
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | B["EncodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.put(path, schema, options))

/**
 * `patch` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * const patched = LuccaClient.patch("/lucca-api/employees/1", Schema.Unknown, { body: { jobTitle: "CTO" } })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const patch = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: WriteOptions<B>
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | B["EncodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.patch(path, schema, options))

/**
 * `del` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * const deleted = LuccaClient.del("/lucca-api/webhook-endpoints/12", Schema.Void)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const del = <S extends Schema.Top>(
  path: string,
  schema: S,
  options?: RequestOptions
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.del(path, schema, options))

/**
 * `executeDecoded` on the `LuccaClient` in context (called `json` before 0.2.0).
 *
 * @since 0.1.0
 * @category accessors
 */
export const executeDecoded = <S extends Schema.Top>(
  request: HttpClientRequest.HttpClientRequest,
  schema: S
): Effect.Effect<S["Type"], DecodedError, S["DecodingServices"] | LuccaClient> =>
  Effect.flatMap(LuccaClient, (client) => client.executeDecoded(request, schema))

/**
 * `paginate` on the `LuccaClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * const everyone = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = <S extends Schema.Top>(
  path: string,
  item: S,
  options?: PaginateOptions
): Stream.Stream<S["Type"], DecodedError, S["DecodingServices"] | LuccaClient> =>
  Stream.unwrap(Effect.map(LuccaClient, (client) => client.paginate(path, item, options)))

/**
 * Decodes a response as `get` does: a 2xx JSON body (or an empty 204) with `schema`, and
 * an error status as an `ApiError` with the fields of its `application/problem+json` body.
 * The body is read once, at most 32 MiB within 30 s (a problem body: 1 MiB within 10 s).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9457
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = <S extends Schema.Top>(
  response: HttpClientResponse.HttpClientResponse,
  schema: S
): Effect.Effect<S["Type"], LuccaError.ApiError | LuccaError.ResponseDecodeError, S["DecodingServices"]> =>
  Decode.decode(response, schema)

/**
 * A page of a Lucca list as `paginate` reads it: `{ items, links?: { next?: { href } } }`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const Page: <S extends Schema.Top>(item: S) => ReturnType<typeof Paginate.pageSchema<S>> = Paginate.pageSchema

/**
 * The request for the first page of `paginate`: `include=links` (kept with whatever else
 * `include` asks for) and `limit`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const firstPage: (path: string, options?: PaginateOptions) => HttpClientRequest.HttpClientRequest =
  Paginate.firstPage

/**
 * The request for the page after `page`, if it has a `links.next.href`. A relative `href`
 * is resolved against `currentUrl`, the URL of the page that holds it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5
 * @since 0.1.0
 * @category pagination
 */
export const nextPage: (
  page: { readonly links?: { readonly next?: { readonly href: string } | null | undefined } | null | undefined },
  currentUrl?: string | URL
) => Option.Option<HttpClientRequest.HttpClientRequest> = Paginate.nextPage

/**
 * Every page of a cursor-paginated list from `first` (see {@link firstPage}), each with
 * the response it came in, fetched with `fetch` as the stream is pulled: for a client of
 * your own, whose fetch sends the request and decodes the body with the schema it is given
 * (as {@link decodeResponse} does). A `next` link to a page already read fails with
 * `ResponseDecodeError` on `links.next.href` rather than looping forever.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { Effect, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.Number })
 *
 * // the size of each page, with the client in context
 * const sizes = Stream.unwrap(Effect.map(LuccaClient.LuccaClient, (client) =>
 *   LuccaClient.pages(
 *     LuccaClient.firstPage("/lucca-api/employees", { limit: 100 }),
 *     Employee,
 *     (request, schema) =>
 *       Effect.flatMap(client.execute(request), (response) =>
 *         Effect.map(LuccaClient.decodeResponse(response, schema), (value) => ({ value, response })))
 *   ))).pipe(Stream.map((page) => page.items.length))
 * ```
 *
 * @since 0.1.0
 * @category pagination
 */
export const pages: <S extends Schema.Top, E, R2 = never>(
  first: HttpClientRequest.HttpClientRequest,
  item: S,
  fetch: <P extends Schema.Top>(
    request: HttpClientRequest.HttpClientRequest,
    schema: P
  ) => Effect.Effect<
    { readonly value: P["Type"]; readonly response: HttpClientResponse.HttpClientResponse },
    E,
    P["DecodingServices"] | R2
  >
) => Stream.Stream<
  { readonly items: ReadonlyArray<S["Type"]>; readonly response: HttpClientResponse.HttpClientResponse },
  E | LuccaError.ResponseDecodeError,
  S["DecodingServices"] | R2
> = Paginate.pages
