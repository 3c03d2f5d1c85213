/**
 * Ready-to-use Lucca client layers for every runtime that speaks `fetch` and has no
 * Node built-ins: dedicated and shared Web Workers, Service Workers, edge workers, and
 * (with care, see {@link BrowserOptions}) a page's main thread.
 *
 * The `HttpClient` is Effect's `FetchHttpClient` (`effect/http/FetchHttpClient`): the
 * runtime's own `fetch`, or the one in `FetchHttpClient.Fetch` when you provide it (a
 * runtime binding, a mock).
 *
 * A client credentials secret must not ship to end users' browsers: on a page's main
 * thread the layers that hold a secret fail with a `ConfigError` naming
 * `dangerouslyAllowBrowser` unless you pass it. Pages should use
 * {@link layerWithTokenProvider} with a `TokenProvider` that asks your backend for tokens,
 * or talk to a worker through `LuccaWorkerClient`.
 *
 * @since 0.1.0
 */
import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import type * as LuccaConfig from "@effect-lucca/core/LuccaConfig"
import * as TokenProvider from "@effect-lucca/core/TokenProvider"
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as internal from "./internal/mainThread.js"

/**
 * The option that lets a client credentials secret load on a page's main thread.
 *
 * Every visitor of such a page can read the secret (in the bundle, in memory, in the
 * devtools) and call the Lucca API with all of the application's scopes, for as long as
 * the secret is not regenerated. Set it only when everyone who can open the page is
 * trusted with the secret itself, such as a local tool or a test.
 *
 * @since 0.1.0
 * @category models
 */
export interface BrowserOptions {
  readonly dangerouslyAllowBrowser?: boolean | undefined
}

/**
 * Options of {@link layer}: a client application, the account, and the browser opt-in.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends LuccaClient.Options, BrowserOptions {}

/**
 * Options of {@link layerTokenProvider}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenProviderOptions extends TokenProvider.Options, BrowserOptions {}

/**
 * Whether this code runs on a web page's main thread (a `window` and a `document` are
 * global), where anything loaded is readable by the page's visitors and scripts. False in
 * Web Workers, Service Workers, edge workers, Deno, Bun and Node.
 *
 * @see https://html.spec.whatwg.org/multipage/workers.html#the-workerglobalscope-common-interface
 * @since 0.1.0
 * @category predicates
 */
export const isBrowserMainThread: () => boolean = internal.isBrowserMainThread

/**
 * Succeeds off a page's main thread, or with `dangerouslyAllowBrowser: true`; otherwise
 * fails with a `ConfigError` naming `dangerouslyAllowBrowser` and explaining the safe
 * deployments. Every layer of this module that holds a client secret runs it first; call
 * it yourself before building a client credentials provider by other means.
 *
 * @example
 * ```ts
 * import { BrowserLucca } from "@effect-lucca/platform-browser"
 * import { Effect } from "effect"
 *
 * // before building a client credentials provider by other means
 * export const program = Effect.gen(function*() {
 *   yield* BrowserLucca.guardClientSecret()
 *   // ... here the secret may be read
 * })
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const guardClientSecret: (options?: BrowserOptions) => Effect.Effect<void, Config.ConfigError> =
  internal.guardClientSecret

/**
 * The `HttpClient` these layers use: `FetchHttpClient`, over the `FetchHttpClient.Fetch`
 * in context when there is one, the global `fetch` otherwise.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer

const guarded = <A, E, R>(options: BrowserOptions | undefined, self: Layer.Layer<A, E, R>) =>
  Layer.unwrap(Effect.as(guardClientSecret(options), self))

const withoutOptIn = <A extends BrowserOptions>(options: A): Omit<A, keyof BrowserOptions> => {
  const { dangerouslyAllowBrowser: _, ...rest } = options
  return rest
}

/**
 * A `LuccaClient` for one client application and account, from options, over `fetch`.
 * Refused on a page's main thread unless `dangerouslyAllowBrowser` is set.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { BrowserLucca } from "@effect-lucca/platform-browser"
 * import { Effect, Redacted, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // in a Web Worker (on a page's main thread this layer refuses the client secret)
 * export const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(BrowserLucca.layer({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LuccaClient.LuccaClient, Config.ConfigError> =>
  guarded(options, Layer.provide(LuccaClient.layer(withoutOptIn(options)), layerHttpClient))

/**
 * A `LuccaClient` configured through `Config` (by default the `LUCCA_*` variables of the
 * current `ConfigProvider`, see `LuccaConfig`), over `fetch`. Refused on a page's main
 * thread unless `options.dangerouslyAllowBrowser` is set.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { BrowserLucca } from "@effect-lucca/platform-browser"
 * import { ConfigProvider, Effect, Layer, Schema } from "effect"
 *
 * // a worker has no environment variables: give the LUCCA_* settings through a ConfigProvider
 * const settings = ConfigProvider.fromUnknown({
 *   LUCCA_CLIENT_ID: "your-client-id",
 *   LUCCA_CLIENT_SECRET: "your-client-secret",
 *   LUCCA_SCOPES: "employees.readonly",
 *   LUCCA_ACCOUNT_URL: "https://example.ilucca.net"
 * })
 *
 * export const program = LuccaClient.get("/lucca-api/employees", Schema.Unknown).pipe(
 *   Effect.provide(BrowserLucca.layerConfig().pipe(Layer.provide(ConfigProvider.layer(settings))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Wrap<LuccaClient.Options>,
  options?: Omit<Options, keyof LuccaConfig.Client>
): Layer.Layer<LuccaClient.LuccaClient, Config.ConfigError> =>
  guarded(
    options,
    Layer.provide(
      LuccaClient.layerConfig(config, options === undefined ? undefined : withoutOptIn(options)),
      layerHttpClient
    )
  )

/**
 * A cached client credentials `TokenProvider` over `fetch`, for programs that build their
 * own clients. Refused on a page's main thread unless `dangerouslyAllowBrowser` is set.
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@effect-lucca/core"
 * import { BrowserLucca } from "@effect-lucca/platform-browser"
 * import { Effect, Redacted } from "effect"
 *
 * // in a worker: a cached token for a client of your own
 * export const token = Effect.flatMap(TokenProvider.TokenProvider, (provider) => provider.get).pipe(
 *   Effect.provide(BrowserLucca.layerTokenProvider({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"]
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTokenProvider = (
  options: TokenProviderOptions
): Layer.Layer<TokenProvider.TokenProvider, Config.ConfigError> =>
  guarded(options, Layer.provide(TokenProvider.layer(withoutOptIn(options)), layerHttpClient))

/**
 * A `LuccaClient` over the `TokenProvider` in context, over `fetch`. No secret is
 * involved, so it is allowed everywhere: this is the layer for a page whose tokens come
 * from the application's own backend (see the package README).
 *
 * @example
 * ```ts
 * import { LuccaClient, TokenProvider } from "@effect-lucca/core"
 * import { BrowserLucca } from "@effect-lucca/platform-browser"
 * import { Effect, Layer, Redacted, Schema } from "effect"
 *
 * // on a page: the token comes from the application's own backend, the secret never does
 * export const program = (tokenFromBackend: Redacted.Redacted<string>) =>
 *   LuccaClient.get("/lucca-api/employees", Schema.Unknown).pipe(
 *     Effect.provide(
 *       BrowserLucca.layerWithTokenProvider({ accountUrl: "https://example.ilucca.net" }).pipe(
 *         Layer.provide(TokenProvider.layerStatic(tokenFromBackend))
 *       )
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithTokenProvider = (
  options: LuccaClient.ClientOptions
): Layer.Layer<LuccaClient.LuccaClient, Config.ConfigError, TokenProvider.TokenProvider> =>
  Layer.provide(
    Layer.unwrap(
      Effect.map(TokenProvider.TokenProvider, (tokenProvider) => LuccaClient.layer({ ...options, tokenProvider }))
    ),
    layerHttpClient
  )
