/**
 * Ready-to-use Lucca client layers for Node.js: the core layers over
 * `NodeHttpClient.layerUndici` (undici's connection pool, HTTP keep-alive).
 *
 * @since 0.1.0
 */
import { LuccaClient, type LuccaConfig, TokenProvider } from "@effect-lucca/core"
import type * as HttpClient from "@effect/platform/HttpClient"
// deep import: loading the package root would load every Node module of the package
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"

/**
 * The `HttpClient` these layers use: undici, with one shared dispatcher.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

/**
 * A `LuccaClient` for one client application and account, from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LuccaClient.Options): Layer.Layer<LuccaClient.LuccaClient, ConfigError.ConfigError> =>
  Layer.provide(LuccaClient.layer(options), layerHttpClient)

/**
 * A `LuccaClient` configured from the `LUCCA_*` environment variables (see `LuccaConfig`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config.Wrap<LuccaClient.Options>,
  options?: Omit<LuccaClient.Options, keyof LuccaConfig.Client>
): Layer.Layer<LuccaClient.LuccaClient, ConfigError.ConfigError> =>
  Layer.provide(LuccaClient.layerConfig(config, options), layerHttpClient)

/**
 * A cached client credentials `TokenProvider` on Node, for programs that build their own
 * clients (for example a fresh token per integration flow).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTokenProvider = (
  options: TokenProvider.Options
): Layer.Layer<TokenProvider.TokenProvider, ConfigError.ConfigError> =>
  Layer.provide(TokenProvider.layer(options), layerHttpClient)
