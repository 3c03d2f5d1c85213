/**
 * Where access tokens come from. A `TokenProvider` is safe for concurrent use: any number
 * of fibers may call `get` at once.
 *
 * The cached implementation built by {@link make} and {@link cached}:
 * - single-flight: concurrent callers with an empty or expired cache share one request;
 * - refresh ahead: inside the refresh window (default 5 minutes before expiry) callers keep
 *   getting the current token while one background request fetches the next; only inside
 *   the hard margin (default 30 s) do callers wait;
 * - transient failures are retried with backoff for up to 30 s (a background refresh until
 *   the hard margin); failures are never cached, and a failed background refresh keeps the
 *   current token in service until the hard margin;
 * - `invalidate(token)` drops the cached token only if it is still that token, so many
 *   concurrent 401s on one token cause one new request; the provider remembers the last
 *   refused tokens (by value, `Redacted`) and never takes one back from a shared store that
 *   still holds it (a read-only Redis, a store whose `invalidate` does nothing);
 * - time comes from `Clock`; there is no global state.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as AccessToken from "./AccessToken.js"
import type * as ClientCredentials from "./ClientCredentials.js"
import * as Authenticate from "./internal/authenticate.js"
import * as InternalOptions from "./internal/options.js"
import * as Redact from "./internal/redact.js"
import * as internal from "./internal/tokenProvider.js"
import * as LuccaConfig from "./LuccaConfig.js"
import type * as LuccaError from "./LuccaError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The current token, fetching a new one when needed. */
  readonly get: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>
  /**
   * Drops `token` from the cache if it is still the cached one (after a 401); a cached
   * provider never serves that token from its shared store again.
   */
  readonly invalidate: (token: AccessToken.AccessToken) => Effect.Effect<void>
  /**
   * Replaces, in a text a server sent back, every token this provider held lately and
   * every encoding of its secret (raw, form-encoded, percent-encoded, JSON-escaped) with
   * `<redacted>`. The client runs the texts of its errors through it.
   *
   * @since 0.1.0
   */
  readonly redact: (text: string) => string
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenProvider extends Context.Service<TokenProvider, Service>()("@effect-lucca/core/TokenProvider") {}

/**
 * How long before expiry the cache starts refreshing in the background.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRefreshWindow: Duration.Duration = InternalOptions.defaults.refreshWindow

/**
 * How long before expiry a token stops being served and callers wait for a new one.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultHardMargin: Duration.Duration = InternalOptions.defaults.hardMargin

/**
 * How long a caller that holds no valid token may wait while transient failures are retried.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryBudget: Duration.Duration = InternalOptions.defaults.tokenRetryBudget

/**
 * Retries of transient token request failures (see `LuccaRetry`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Delays between attempts; defaults to `LuccaRetry.defaultBackoff`. `Retry-After` is honoured on top. */
  readonly backoff?: Schedule.Schedule<unknown, LuccaError.TokenError> | undefined
  /**
   * Defaults to {@link defaultRetryBudget}. A background refresh, which runs while a valid
   * token is still served, retries until that token's hard margin instead.
   */
  readonly budget?: Duration.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** Defaults to {@link defaultRefreshWindow}; shrinks to half the lifetime of short tokens. */
  readonly refreshWindow?: Duration.Input | undefined
  /** Defaults to {@link defaultHardMargin}; shrinks to a tenth of the lifetime of short tokens. */
  readonly hardMargin?: Duration.Input | undefined
  /** Retries of transient token request failures; `false` reports every failure at once. */
  readonly tokenRetry?: RetryOptions | false | undefined
}

/**
 * Options of the client credentials provider: a client application and its cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ClientCredentials.Options, CacheOptions {}

/**
 * Wraps any token source in the single-flight, refresh-ahead cache. The source is run for
 * each refresh; its requests live in the given scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cached = (
  source: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>,
  options?: CacheOptions
): Effect.Effect<Service, Config.ConfigError, Scope.Scope> =>
  Effect.flatMap(
    InternalOptions.decodeCache(options),
    (decoded) => internal.make(source, internal.settingsOf(decoded))
  )

/**
 * A cached provider for one client application, whose token requests go through the
 * `HttpClient` in context. It shares its tokens through the `TokenStore` in context (none
 * by default; `TokenStore.layerMemory`, `LuccaRedis.layer`). Fails with a `ConfigError`
 * naming the option when the options are invalid.
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@effect-lucca/core"
 * import { Effect, Redacted } from "effect"
 *
 * const token = Effect.gen(function*() {
 *   const provider = yield* TokenProvider.make({
 *     clientId: "my-client-id",
 *     clientSecret: Redacted.make("my-client-secret"),
 *     scopes: ["employees.readonly"]
 *   })
 *   return yield* provider.get
 * }) // Effect<AccessToken, TokenError | ConfigError, HttpClient | Scope>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(InternalOptions.decodeProvider(options), internal.makeClientCredentials)

/**
 * {@link make} as a layer. Provide a `TokenStore` below it to share its tokens.
 *
 * @example
 * ```ts
 * import { TokenProvider, TokenStore } from "@effect-lucca/core"
 * import { Layer, Redacted } from "effect"
 *
 * const TokensLive = TokenProvider.layer({
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"]
 * }) // Layer<TokenProvider, ConfigError, HttpClient>
 *
 * // tokens shared with every provider of the same client application in the process
 * const SharedTokensLive = TokensLive.pipe(Layer.provide(TokenStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<TokenProvider, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(TokenProvider, make(options))

/**
 * A cached provider configured from `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET`,
 * `LUCCA_SCOPES` and the optional `LUCCA_TOKEN_URL`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: LuccaConfig.CredentialsConfig = LuccaConfig.credentials
): Layer.Layer<TokenProvider, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(TokenProvider, Effect.flatMap(config, make))

/**
 * A provider that always returns the same token and never refreshes it, for tests of user
 * code and for tokens obtained elsewhere. `invalidate` does nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStatic = (
  token: string | Redacted.Redacted<string> | AccessToken.AccessToken,
  options?: { readonly scopes?: ReadonlyArray<string> | undefined }
): Service => {
  const value = token instanceof AccessToken.AccessToken ? token : AccessToken.unsafeMakeStatic(token, options)
  const secrets = Redact.encodings(Redacted.value(value.value))
  return {
    get: Effect.succeed(value),
    invalidate: () => Effect.void,
    redact: (text) => Redact.redactAll(text, secrets)
  }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (
  token: string | Redacted.Redacted<string> | AccessToken.AccessToken,
  options?: { readonly scopes?: ReadonlyArray<string> | undefined }
): Layer.Layer<TokenProvider> => Layer.succeed(TokenProvider, makeStatic(token, options))

/**
 * @since 0.1.0
 * @category models
 */
export interface AuthenticateOptions {
  /** The account origin: only requests whose final URL is on it get the token. */
  readonly origin: string | URL
  /** Run before the one retry after a 401 is sent; for example `LuccaPacing.turn`. */
  readonly beforeRetry?: Effect.Effect<void> | undefined
}

/**
 * Authenticates any `HttpClient` with the tokens of `provider`, as golang/oauth2's
 * `Transport` does: each request gets `Authorization: Bearer <token>` as the last change
 * before it leaves, and only when its final URL is on `origin`. Apply it to the client that
 * sends the bytes, and compose everything else (`followRedirects`, `mapRequest`,
 * `retryTransient`, tracing) around it: whatever they do to a request, the URL is checked
 * when the token is added, so the token never goes to another origin.
 *
 * - `origin` follows `LuccaClient`'s rule for `accountUrl`: `https`, or plain `http` on a
 *   loopback host only. Any other origin is refused: every request fails with the same
 *   `ConfigError` (naming `origin`), and nothing is sent.
 * - A request whose URL is relative or on another origin fails with `ForeignOriginError`
 *   and is not sent: a redirect followed by a wrapper, or a URL rewritten by one, is
 *   refused rather than silently sent without the token.
 * - A 401 invalidates exactly the token that was refused and is retried once with another
 *   token (the server did not act, so this is safe for every method); a second 401, a 401
 *   on a body that cannot be sent twice, or a provider that gives the refused token again
 *   (a static one) fails with `Unauthorized`: a refused token is never sent twice. Only bytes, a
 *   string, an `ArrayBuffer`, a `Blob`, a `FormData` or `URLSearchParams` are sent twice:
 *   a stream (`HttpBody.stream`, a raw Node `Readable` or web `ReadableStream`) or any
 *   other raw value is never re-sent, since its second copy would leave empty.
 * - `beforeRetry` runs before that retry is sent: with `LuccaPacing.turn`, the retry takes
 *   a turn of the account's budget, as every request does.
 * - A 403 fails with `Forbidden`, naming the scopes the token was granted.
 * - Responses and errors handed back carry the request as it was before the token was
 *   added; texts the server sent back go through `provider.redact`.
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@effect-lucca/core"
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* TokenProvider.TokenProvider
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     TokenProvider.authenticate(provider, { origin: "https://example.ilucca.net" }),
 *     HttpClient.followRedirects()
 *   )
 *   return yield* client.get("https://example.ilucca.net/lucca-api/employees?limit=1")
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category combinators
 */
export const authenticate: {
  (
    provider: Service,
    options: AuthenticateOptions
  ): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<E | LuccaError.AuthenticationError | Config.ConfigError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    provider: Service,
    options: AuthenticateOptions
  ): HttpClient.HttpClient.With<E | LuccaError.AuthenticationError | Config.ConfigError, R>
} = dual(3, <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  provider: Service,
  options: AuthenticateOptions
): HttpClient.HttpClient.With<E | LuccaError.AuthenticationError | Config.ConfigError, R> =>
  Result.match(Schema.decodeUnknownResult(OriginOption)({ origin: options.origin }), {
    // a combinator cannot fail where it is applied: its requests carry the refusal
    // (`HttpClient.With` is invariant in its error: each branch is widened to the union)
    onFailure: (error) => {
      const refused = InternalOptions.toConfigError(error)
      return HttpClient.transform(self, () => Effect.fail(refused)) as HttpClient.HttpClient.With<any, R>
    },
    onSuccess: ({ origin }) =>
      Authenticate.make(self, provider, {
        origin: origin.origin,
        beforeRetry: options.beforeRetry
      }) as HttpClient.HttpClient.With<any, R>
  }))

// the origin of `authenticate` follows `LuccaClient`'s rule for `accountUrl`
const OriginOption = Schema.Struct({ origin: InternalOptions.AccountUrl })
