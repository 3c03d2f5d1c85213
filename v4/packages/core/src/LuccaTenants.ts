/**
 * Many Lucca accounts (tenants) in one program: an integrator that serves many Lucca
 * customers holds one `LuccaClient` per tenant. `LuccaTenants` builds a tenant's client
 * on first use, from a function of the tenant key to its options, keeps it while it is in
 * use, and releases it (its token, its scope) once it has been idle for
 * `idleTimeToLive`. Every tenant client shares the one `HttpClient` of the layer (one
 * connection pool) and the process-wide pacing budget of its account.
 *
 * Nothing runs for an idle tenant: no timer, no fiber. One fiber for all tenants releases
 * the expired ones, and runs only while some client is idle and not yet released (the
 * registry works as `RcMap` with an idle time to live does, without its fiber and timer
 * per idle entry, so that an idle client costs only what it holds).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as Scope from "effect/Scope"
import * as InternalOptions from "./internal/options.js"
import * as Registry from "./internal/tenants.js"
import * as LuccaClient from "./LuccaClient.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * The client of `tenant`, built on first use (a `ConfigError` if its options are
   * wrong: nothing is kept, the next call tries again). It stays built as long as the
   * scope that got it is open, then for `idleTimeToLive`.
   */
  readonly get: (tenant: string) => Effect.Effect<LuccaClient.Service, Config.ConfigError, Scope.Scope>
  /** Runs `f` with the client of `tenant`, which is held for as long as `f` runs. */
  readonly use: <A, E, R>(
    tenant: string,
    f: (client: LuccaClient.Service) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | Config.ConfigError, R>
  /** The tenants whose client is built now (in use or within their idle time to live). */
  readonly tenants: Effect.Effect<ReadonlyArray<string>>
  /**
   * Releases the client of `tenant` once nobody holds it, at once rather than after its
   * idle time to live (for example when a customer's credentials change).
   */
  readonly invalidate: (tenant: string) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LuccaTenants extends Context.Service<LuccaTenants, Service>()("@effect-lucca/core/LuccaTenants") {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How long a tenant's client is kept after its last use. Defaults to 5 minutes: long
   * enough for a burst of work on one tenant to reuse its token, short enough that a
   * program serving thousands of tenants holds only the active ones. A released client
   * loses its token: the next use requests a new one.
   */
  readonly idleTimeToLive?: Duration.Input | undefined
}

/**
 * The options of a tenant: plain, or read from somewhere (`Config`, a database).
 *
 * @since 0.1.0
 * @category models
 */
export type OptionsOf = (
  tenant: string
) => LuccaClient.Options | Effect.Effect<LuccaClient.Options, Config.ConfigError>

const defaultIdleTimeToLive: Duration.Input = "5 minutes"

/**
 * The tenants service over the `HttpClient` in context, which every tenant client shares.
 * Closing the scope releases every client. An `idleTimeToLive` that is not a duration is a
 * `ConfigError` naming it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  optionsOf: OptionsOf,
  options?: Options
): Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const lookup = (tenant: string) =>
      Effect.flatMap(
        Effect.suspend(() => {
          const found = optionsOf(tenant)
          return Effect.isEffect(found) ? found : Effect.succeed(found)
        }),
        LuccaClient.make
      )
    let ttl: Option.Option<Duration.Duration>
    try {
      ttl = Duration.fromInput(options?.idleTimeToLive ?? defaultIdleTimeToLive)
    } catch {
      ttl = Option.none()
    }
    if (Option.isNone(ttl)) {
      return yield* Effect.fail(
        new Config.ConfigError(
          new Schema.SchemaError(
            new SchemaIssue.Pointer(
              ["idleTimeToLive"],
              new SchemaIssue.InvalidValue({ message: "must be a duration, such as \"5 minutes\"" })
            )
          )
        )
      )
    }
    const registry = yield* Registry.make(lookup, ttl.value)
    return LuccaTenants.of({
      get: registry.get,
      use: (tenant, f) => Effect.scoped(Effect.flatMap(registry.get(tenant), f)),
      tenants: registry.keys,
      invalidate: registry.invalidate
    })
  })

/**
 * @example
 * ```ts
 * import { LuccaClient, LuccaTenants } from "@effect-lucca/core"
 * import { Effect, Redacted, Schema } from "effect"
 *
 * // one client application per customer account, kept while in use and 5 minutes after
 * const Tenants = LuccaTenants.layer((tenant) => ({
 *   clientId: `client-of-${tenant}`,
 *   clientSecret: Redacted.make(`secret-of-${tenant}`),
 *   scopes: ["employees.readonly"],
 *   accountUrl: `https://${tenant}.ilucca.net`
 * })) // Layer<LuccaTenants, ConfigError, HttpClient>
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 * const firstEmployee = (tenant: string) =>
 *   LuccaTenants.use(tenant, (lucca) => lucca.get("/lucca-api/employees/1", Employee))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  optionsOf: OptionsOf,
  options?: Options
): Layer.Layer<LuccaTenants, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(LuccaTenants, make(optionsOf, options))

/**
 * Tenants configured through `Config`: `configOf` gives the `Config` of a tenant's options
 * (for example `LuccaConfig.client` nested under the tenant's name), read when its client
 * is built.
 *
 * @example
 * ```ts
 * import { LuccaConfig, LuccaTenants } from "@effect-lucca/core"
 * import { Config } from "effect"
 *
 * // tenant "acme" reads ACME_LUCCA_CLIENT_ID, ACME_LUCCA_CLIENT_SECRET, ...
 * const Tenants = LuccaTenants.layerConfig((tenant) => Config.nested(LuccaConfig.client, tenant.toUpperCase()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  configOf: (tenant: string) => Config.Wrap<LuccaClient.Options>,
  options?: Options
): Layer.Layer<LuccaTenants, Config.ConfigError, HttpClient.HttpClient> =>
  layer((tenant) => InternalOptions.unwrap(configOf(tenant)), options)

/**
 * `use` on the `LuccaTenants` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const use = <A, E, R>(
  tenant: string,
  f: (client: LuccaClient.Service) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | Config.ConfigError, R | LuccaTenants> =>
  Effect.flatMap(LuccaTenants, (tenants: Service) => tenants.use(tenant, f))

/**
 * Provides the client of `tenant` as the `LuccaClient` of `effect`, so that code written
 * for one account (`LuccaClient.get`, `LuccaResources`...) runs on any tenant.
 *
 * @example
 * ```ts
 * import { LuccaClient, LuccaTenants } from "@effect-lucca/core"
 * import { Effect, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 * const countEmployees = LuccaClient.paginate("/lucca-api/employees", Employee).pipe(Stream.runCount)
 *
 * const perTenant = (tenants: ReadonlyArray<string>) =>
 *   Effect.forEach(tenants, (tenant) => countEmployees.pipe(LuccaTenants.provide(tenant)), { concurrency: 8 })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const provide = (tenant: string) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Config.ConfigError, Exclude<R, LuccaClient.LuccaClient> | LuccaTenants> =>
  use(tenant, (client) => Effect.provideService(effect, LuccaClient.LuccaClient, client))
