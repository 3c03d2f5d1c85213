/**
 * Ready-to-use Lucca client layers for Node.js: the core layers over
 * `NodeHttpClient.layerUndici` (undici's connection pool, HTTP keep-alive).
 *
 * @since 0.1.0
 */
import { LuccaClient, type LuccaConfig, LuccaTenants, TokenProvider } from "@effect-lucca/core"
// deep import: loading the package root would load every Node module of the package
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Config from "effect/Config"
import type * as HttpClient from "effect/http/HttpClient"
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
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { Effect, Redacted, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * export const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
 *   Stream.runForEach((employee) => Effect.log(employee.id)),
 *   Effect.provide(NodeLucca.layer({
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
export const layer = (options: LuccaClient.Options): Layer.Layer<LuccaClient.LuccaClient, Config.ConfigError> =>
  Layer.provide(LuccaClient.layer(options), layerHttpClient)

/**
 * A `LuccaClient` configured from the `LUCCA_*` environment variables (see `LuccaConfig`).
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // LUCCA_CLIENT_ID, LUCCA_CLIENT_SECRET, LUCCA_SCOPES, LUCCA_ACCOUNT_URL
 * export const main = () =>
 *   LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
 *     Stream.runCount,
 *     Effect.flatMap((count) => Effect.log(`${count} employees`)),
 *     Effect.provide(NodeLucca.layerConfig()),
 *     NodeRuntime.runMain
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Wrap<LuccaClient.Options>,
  options?: Omit<LuccaClient.Options, keyof LuccaConfig.Client>
): Layer.Layer<LuccaClient.LuccaClient, Config.ConfigError> =>
  Layer.provide(LuccaClient.layerConfig(config, options), layerHttpClient)

/**
 * A cached client credentials `TokenProvider` on Node, for programs that build their own
 * clients (for example a fresh token per integration flow).
 *
 * @example
 * ```ts
 * import { TokenProvider } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { Effect, Redacted } from "effect"
 *
 * // a bearer token for a client of your own; the provider caches and refreshes it
 * export const authorization = Effect.gen(function*() {
 *   const provider = yield* TokenProvider.TokenProvider
 *   const token = yield* provider.get
 *   return Redacted.make(`Bearer ${Redacted.value(token.value)}`)
 * }).pipe(
 *   Effect.provide(NodeLucca.layerTokenProvider({
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
  options: TokenProvider.Options
): Layer.Layer<TokenProvider.TokenProvider, Config.ConfigError> =>
  Layer.provide(TokenProvider.layer(options), layerHttpClient)

/**
 * The clients of many Lucca accounts (tenants), each built on first use from
 * `optionsOf(tenant)` and released when idle (see `LuccaTenants`), all over one undici
 * dispatcher: one connection pool for every tenant.
 *
 * @example
 * ```ts
 * import { LuccaTenants } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { Effect, Redacted, Schema } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // the credentials of each customer, from wherever you keep them
 * const credentialsOf = (tenant: string) => ({
 *   clientId: `client-of-${tenant}`,
 *   clientSecret: Redacted.make(`secret-of-${tenant}`)
 * })
 *
 * export const program = Effect.forEach(
 *   ["acme", "globex"],
 *   (tenant) => LuccaTenants.use(tenant, (lucca) => lucca.get("/lucca-api/employees/1", Employee)),
 *   { concurrency: 2 }
 * ).pipe(
 *   Effect.provide(NodeLucca.layerTenants((tenant) => ({
 *     ...credentialsOf(tenant),
 *     scopes: ["employees.readonly"],
 *     accountUrl: `https://${tenant}.ilucca.net`
 *   }), { idleTimeToLive: "10 minutes" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTenants = (
  optionsOf: LuccaTenants.OptionsOf,
  options?: LuccaTenants.Options
): Layer.Layer<LuccaTenants.LuccaTenants, Config.ConfigError> =>
  Layer.provide(LuccaTenants.layer(optionsOf, options), layerHttpClient)

/**
 * {@link layerTenants} with each tenant's options read through `Config` (see
 * `LuccaTenants.layerConfig`).
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { Config } from "effect"
 *
 * // tenant "acme" reads ACME_LUCCA_CLIENT_ID, ACME_LUCCA_CLIENT_SECRET, ...
 * const Tenants = NodeLucca.layerTenantsConfig((tenant) => Config.nested(LuccaConfig.client, tenant.toUpperCase()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTenantsConfig = (
  configOf: (tenant: string) => Config.Wrap<LuccaClient.Options>,
  options?: LuccaTenants.Options
): Layer.Layer<LuccaTenants.LuccaTenants, Config.ConfigError> =>
  Layer.provide(LuccaTenants.layerConfig(configOf, options), layerHttpClient)
