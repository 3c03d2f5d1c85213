/**
 * Lucca clients that share their tokens and their rate budget across the processes of a
 * fleet (workers, pods, cron jobs) through Redis:
 *
 * - **tokens:** a `TokenStore` keyed by token URL, client id and sorted scopes. Tokens are
 *   encrypted at rest (AES-256-GCM, keys derived from the client secret with HKDF), so a
 *   reader of Redis without the secret gets nothing usable; a key expires with its token.
 *   The keys and values are the Effect 3 line's: processes of both lines share a fleet.
 * - **single-flight across the fleet:** on a cold cache or at refresh time, one process
 *   takes a lease (`SET NX PX` with an owner id, released by a compare-and-delete script)
 *   and requests the token; the others wait for it, at most until the lease expires, and
 *   then take over (an owner that died mid-request holds nobody back for long).
 * - **401s:** the stored token is dropped only if it is still the one that failed; a
 *   provider never takes a token it saw refused back from Redis (a read-only replica
 *   cannot drop it).
 * - **a shared rate budget per account:** a `RateLimiter` whose token bucket lives in
 *   Redis, keyed by account origin. A token bucket with burst `b` that refills at
 *   `(50 - b)` a minute never lets more than 50 requests through in any 60 s window,
 *   which is how Lucca counts; a fixed window would allow 100 across a window boundary.
 * - **webhooks handled once across the fleet:** a `LuccaWebhooks.WebhookDeduplication`
 *   whose claims are `SET NX PX` keys, so that of the processes behind one webhook URL
 *   exactly one handles each event (`layerWebhookDeduplication`).
 * - **Redis down or slow never fails a request:** every command has a short timeout; a
 *   failed one is answered in process (the provider's own cache, this process's pacing),
 *   warned about once per outage and counted in {@link fallbacks}; the fleet shares again
 *   as soon as Redis answers. The in-process pacing starts where Redis last left the
 *   process (never from a full bucket), and an account stays on it after the outage until
 *   it is full: an outage never adds capacity to a process.
 * - **a broken lease heals:** a lease key without an expiry is given one lease time, and no
 *   process waits on a lease longer than that.
 *
 * @since 0.1.0
 */
import * as LuccaPacing from "@effect-lucca/core/LuccaPacing"
import * as LuccaWebhooks from "@effect-lucca/core/LuccaWebhooks"
import * as TokenStore from "@effect-lucca/core/TokenStore"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as Scope from "effect/Scope"
import type { RedisOptions } from "ioredis"
import * as internal from "./internal/redis.js"
import * as internalWebhooks from "./internal/webhooks.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://...`; else `redis.host`/`port`. */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** More ioredis options (TLS, Sentinel, ...). The options that keep Redis off the request path win. */
  readonly redis?: RedisOptions | undefined
  /** Prefix of every key; defaults to `effect-lucca:`. */
  readonly prefix?: string | undefined
  /** How long a command may take before it is answered in process; defaults to 500 ms. */
  readonly commandTimeout?: Duration.Input | undefined
  /**
   * How long a token request lease lasts: how long the others wait for its holder before
   * one of them takes over. Defaults to 15 s; keep it above a token request's timeout.
   */
  readonly leaseTtl?: Duration.Input | undefined
}

/**
 * The default key prefix.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix = "effect-lucca:"

/**
 * Redis commands answered in process because Redis failed or was too slow, with the
 * attribute `operation` (`get`, `set`, `invalidate`, `acquire`, `held`, `release`, `rate`,
 * `webhookClaim`, `webhookRelease`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const fallbacks: Metric.Counter<number> = internal.fallbacks

// a ConfigError whose message names the option, as core's options do
const invalid = (option: string, message: string): Config.ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([option], new SchemaIssue.InvalidValue({ message })))
  )

const positive = (name: string, input: unknown, fallback: Duration.Duration) =>
  Effect.suspend(() => {
    const duration = input === undefined ? Option.some(fallback) : Duration.fromInput(input as Duration.Input)
    return Option.isSome(duration) && Duration.isFinite(duration.value) && Duration.toMillis(duration.value) > 0
      ? Effect.succeed(duration.value)
      : Effect.fail(invalid(name, "must be a positive, finite duration, such as \"500 millis\""))
  })

const settings = (options: Options): Effect.Effect<internal.Settings, Config.ConfigError> =>
  Effect.gen(function*() {
    const url = options.url === undefined
      ? undefined
      : Redacted.isRedacted(options.url)
      ? options.url
      : Redacted.make(options.url)
    if (url !== undefined) {
      const value: unknown = Redacted.value(url)
      if (typeof value !== "string" || !/^rediss?:\/\//.test(value)) {
        return yield* Effect.fail(invalid("url", "must start with redis:// or rediss://"))
      }
    }
    if (options.prefix !== undefined && typeof options.prefix !== "string") {
      return yield* Effect.fail(invalid("prefix", "must be a string"))
    }
    if (options.redis !== undefined && (typeof options.redis !== "object" || options.redis === null)) {
      return yield* Effect.fail(invalid("redis", "must be an object of ioredis options"))
    }
    return {
      url,
      redis: options.redis ?? {},
      prefix: options.prefix ?? defaultPrefix,
      commandTimeout: yield* positive("commandTimeout", options.commandTimeout, Duration.millis(500)),
      leaseTtl: yield* positive("leaseTtl", options.leaseTtl, Duration.seconds(15))
    }
  })

/**
 * The shared token store and rate limiter (the budget of `LuccaPacing.RateBudget`) on one
 * Redis connection, for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<
  { readonly tokenStore: TokenStore.Service; readonly rateLimiter: RateLimiter.RateLimiter },
  Config.ConfigError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const connection = yield* internal.connect(yield* settings(options))
    const memory = Context.get(yield* Layer.build(RateLimiter.layerStoreMemory), RateLimiter.RateLimiterStore)
    const rateLimiter = yield* Effect.provideService(
      RateLimiter.make,
      RateLimiter.RateLimiterStore,
      internal.makeRateLimiterStore(connection, memory)
    )
    return { tokenStore: internal.makeTokenStore(connection), rateLimiter }
  })

/**
 * The shared `TokenStore` and rate budget (`LuccaPacing.RateBudget`) of a fleet. Provide
 * it below `LuccaClient.layer` (or `TokenProvider.layer`): every process that uses the
 * same Redis shares the tokens of each client application and the budget of each
 * account. (Both are `Context.Reference`s in Effect 4: the layer provides them and
 * requires nothing, hence its `never`.)
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { LuccaRedis } from "@effect-lucca/redis"
 * import { Layer, Redacted } from "effect"
 *
 * // in every process of the fleet
 * export const LuccaLive = LuccaClient.layer({
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"],
 *   accountUrl: "https://example.ilucca.net"
 * }).pipe(
 *   Layer.provide([NodeLucca.layerHttpClient, LuccaRedis.layer({ url: "redis://127.0.0.1:6379" })])
 * ) // Layer<LuccaClient, ConfigError>
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never, Config.ConfigError> =>
  Layer.effectContext(
    Effect.map(make(options), ({ rateLimiter, tokenStore }) =>
      Context.make(TokenStore.TokenStore, tokenStore).pipe(
        Context.add(LuccaPacing.RateBudget, rateLimiter)
      ))
  )

/**
 * {@link layer} configured through `Config`: by default the URL from `REDIS_URL`.
 *
 * @example
 * ```ts
 * import { LuccaRedis } from "@effect-lucca/redis"
 * import { Config } from "effect"
 *
 * // the URL from REDIS_URL
 * export const RedisLive = LuccaRedis.layerConfig()
 *
 * // or one Config per option
 * export const CustomLive = LuccaRedis.layerConfig({
 *   url: Config.Redacted("LUCCA_REDIS_URL"),
 *   commandTimeout: Config.Duration("LUCCA_REDIS_TIMEOUT").pipe(Config.withDefault("200 millis"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Wrap<Options> = { url: Config.Redacted("REDIS_URL") }
): Layer.Layer<never, Config.ConfigError> => Layer.unwrap(Effect.map(Config.unwrap(config), layer))

/**
 * A webhook deduplication store shared by every process that uses the same Redis: each
 * event (`source` + `id`) is claimed with `SET NX PX` for the receiver's window, so that
 * exactly one process of the fleet handles it, however many receive it. A handler that
 * fails releases its claim (compare-and-delete), so a later delivery is handled. When
 * Redis cannot answer, a claim is `Unavailable` and the receiver answers 503: Lucca
 * delivers again later, and no event is handled twice.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWebhookDeduplication = (
  options: Options
): Effect.Effect<LuccaWebhooks.Deduplication, Config.ConfigError, Scope.Scope> =>
  Effect.map(Effect.flatMap(settings(options), internal.connect), internalWebhooks.makeDeduplication)

/**
 * {@link makeWebhookDeduplication} as the `WebhookDeduplication` of every
 * `LuccaWebhooks.receiver` below it.
 *
 * @example
 * ```ts
 * import { LuccaWebhooks } from "@effect-lucca/core"
 * import { LuccaRedis } from "@effect-lucca/redis"
 * import { Effect, Redacted } from "effect"
 *
 * // in every process behind the webhook URL: each event is handled by one of them
 * const program = Effect.gen(function*() {
 *   const receiver = yield* LuccaWebhooks.receiver({
 *     secret: Redacted.make("the endpoint's secret"),
 *     handler: (event) => Effect.log(`${event.topic} ${event.id}`)
 *   })
 *   // serve `receiver` (HttpRouter, HttpEffect.toWebHandler...) for as long as the program runs
 *   return yield* Effect.never
 * }).pipe(
 *   Effect.scoped,
 *   Effect.provide(LuccaRedis.layerWebhookDeduplication({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWebhookDeduplication = (
  options: Options
): Layer.Layer<LuccaWebhooks.WebhookDeduplication, Config.ConfigError> =>
  Layer.effect(LuccaWebhooks.WebhookDeduplication, makeWebhookDeduplication(options))
