import * as AccessToken from "@effect-lucca/core/AccessToken"
import * as TokenStore from "@effect-lucca/core/TokenStore"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Redis, type RedisOptions } from "ioredis"
import * as Crypto from "./crypto.js"
import { scripts } from "./scripts.js"

/** @internal */
export interface Settings {
  readonly url: Redacted.Redacted<string> | undefined
  readonly redis: RedisOptions
  readonly prefix: string
  readonly commandTimeout: Duration.Duration
  readonly leaseTtl: Duration.Duration
}

/** @internal */
export const fallbacks: Metric.Counter<number> = Metric.counter("lucca_redis_fallbacks_total", {
  description: "Redis commands that failed or timed out, answered in process instead, by operation",
  incremental: true
})

/**
 * The Lua scripts of the store and the limiter, as ioredis commands: each is sent once per
 * connection (`EVAL`), then by its SHA1 (`EVALSHA`); when Redis no longer knows a script
 * (`NOSCRIPT`: a restart, a `SCRIPT FLUSH`, a failover), ioredis sends it again.
 *
 * @internal
 */
export interface Scripts {
  readonly luccaDeleteIfId: (key: string, idPrefix: string) => Promise<number>
  readonly luccaDeleteIfOwner: (key: string, owner: string) => Promise<number>
  readonly luccaAcquireLease: (key: string, owner: string, ttlMillis: number) => Promise<number>
  readonly luccaTokenBucket: (
    key: string,
    tokens: number,
    refillMillis: number,
    limit: number,
    allowOverflow: "1" | "0"
  ) => Promise<[remaining: string, elapsedMillis: string]>
  readonly luccaFixedWindow: (
    key: string,
    tokens: number,
    refillMillis: number,
    limit: number | ""
  ) => Promise<[count: string, ttl: number]>
}

// every script takes one key, KEYS[1] (their source: common/redis/*.lua, shared with the
// Effect 3 line)
const commands: { readonly [K in keyof Scripts]: string } = {
  luccaDeleteIfId: scripts.deleteIfId,
  luccaDeleteIfOwner: scripts.deleteIfOwner,
  luccaAcquireLease: scripts.acquireLease,
  luccaTokenBucket: scripts.tokenBucket,
  luccaFixedWindow: scripts.fixedWindow
}

/** @internal */
export type Client = Redis & Scripts

/** @internal */
export interface Connection {
  readonly redis: Client
  readonly prefix: string
  readonly leaseTtl: Duration.Duration
  /**
   * Runs a command within the command timeout; on failure, answers with `fallback`, warns
   * once per outage, counts it in `lucca_redis_fallbacks_total`, and logs the recovery.
   */
  readonly guard: <A, B>(
    operation: string,
    command: (redis: Client) => Promise<A>,
    fallback: Effect.Effect<B>
  ) => Effect.Effect<A | B>
}

/**
 * One connection per layer. `enableOfflineQueue: false` and one attempt per command make
 * a command fail at once while Redis is unreachable (rather than queue behind a
 * reconnection); ioredis keeps reconnecting in the background, so the fleet rejoins.
 *
 * @internal
 */
export const connect = (settings: Settings): Effect.Effect<Connection, never, Scope.Scope> =>
  Effect.gen(function*() {
    const timeout = Duration.toMillis(settings.commandTimeout)
    const connectTimeout = Math.max(timeout, 1000)
    const options: RedisOptions = {
      connectTimeout,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      ...settings.redis,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeout,
      lazyConnect: false
    }
    const redis = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const redis = settings.url === undefined
          ? new Redis(options)
          : new Redis(Redacted.value(settings.url), options)
        // errors are reported by `guard`; without a listener ioredis prints each one
        redis.on("error", () => {})
        for (const [name, lua] of Object.entries(commands)) redis.defineCommand(name, { numberOfKeys: 1, lua })
        return redis as Client
      }),
      (redis) =>
        Effect.promise(() => redis.quit()).pipe(
          Effect.timeout(timeout),
          Effect.catchCause(() => Effect.void),
          Effect.ensuring(Effect.sync(() => redis.disconnect()))
        )
    )
    // Commands fail at once while the connection is not open (no offline queue), which is
    // right in an outage but not while the first attempt is under way: a process starting
    // on a busy host would leave the fleet's single-flight for want of a socket. Until that
    // attempt ends (ready, or an error: then Redis is down and commands fail at once), a
    // command waits for it, within its timeout.
    let opening: Promise<void> | undefined = redis.status === "ready" ? undefined : new Promise((resolve) => {
      const done = () => {
        opening = undefined
        redis.off("ready", done).off("error", done).off("end", done)
        resolve()
      }
      redis.once("ready", done).once("error", done).once("end", done)
    })
    // and the layer waits for it, briefly
    if (opening !== undefined) {
      const first = opening
      yield* Effect.promise(() => first).pipe(Effect.timeout(options.connectTimeout ?? connectTimeout), Effect.ignore)
    }

    let down = false
    const guard = <A, B>(operation: string, command: (redis: Client) => Promise<A>, fallback: Effect.Effect<B>) =>
      Effect.tryPromise(() => opening === undefined ? command(redis) : opening.then(() => command(redis))).pipe(
        Effect.timeout(timeout),
        Effect.matchEffect({
          onFailure: (error) =>
            Effect.suspend(() => {
              const first = !down
              down = true
              return Metric.update(Metric.withAttributes(fallbacks, { operation }), 1).pipe(
                Effect.andThen(
                  first
                    ? Effect.logWarning(
                      operation.startsWith("webhook")
                        ? "Redis is unavailable: webhook deliveries are answered 503 (Lucca delivers them again) until it is back"
                        : "Redis is unavailable: Lucca tokens and pacing fall back to this process until it is back"
                    ).pipe(Effect.annotateLogs({ operation, error: errorName(error) }))
                    : Effect.void
                ),
                Effect.andThen(fallback)
              )
            }),
          onSuccess: (value) =>
            Effect.suspend(() => {
              if (!down) return Effect.succeed(value)
              down = false
              return Effect.as(Effect.logInfo("Redis is back: Lucca tokens and pacing are shared again"), value)
            })
        })
      )
    return { redis, prefix: settings.prefix, leaseTtl: settings.leaseTtl, guard }
  })

// the kind of failure only: a message could quote a command's arguments
const errorName = (error: unknown): string =>
  error instanceof Error ? (error.cause instanceof Error ? error.cause.name : error.name) : "unknown"

const StoredToken = Schema.fromJsonString(Schema.Struct({
  value: Schema.NonEmptyString,
  scopes: Schema.Array(Schema.String),
  issuedAt: Schema.Finite,
  expiresAt: Schema.Finite
}))
const decodeStored = Schema.decodeUnknownOption(StoredToken)
const encodeStored = Schema.encodeSync(StoredToken)

/**
 * The token store on one connection. A value is `v1.<id>.<iv>.<ciphertext>`: the id is a
 * keyed hash of the token (for compare-and-delete), the ciphertext holds the token and its
 * scopes and times; the key expires with the token. The format is the Effect 3 line's: the
 * processes of a fleet share their tokens whichever line they run.
 *
 * @internal
 */
export const makeTokenStore = (connection: Connection): TokenStore.Service => ({
  forClient: (client) =>
    Effect.gen(function*() {
      const { guard, prefix } = connection
      const context = TokenStore.keyOf(client)
      const key = `${prefix}token:${yield* Effect.promise(() => Crypto.digest(context))}`
      const leaseKey = `${key}:lease`
      const keys = yield* Effect.promise(() => Crypto.deriveKeys(Redacted.value(client.clientSecret), context))
      const leaseMillis = Duration.toMillis(connection.leaseTtl)
      const owner = crypto.randomUUID()
      const idPrefix = (token: AccessToken.AccessToken) =>
        Effect.map(
          Effect.promise(() => Crypto.tokenId(keys, Redacted.value(token.value))),
          (id) => `v1.${id}.`
        )

      const get = Effect.flatMap(
        guard("get", (redis) => redis.get(key), Effect.succeed(null)),
        (value): Effect.Effect<Option.Option<AccessToken.AccessToken>> => {
          if (value === null || !value.startsWith("v1.")) return Effect.succeedNone
          const sealed = value.slice(value.indexOf(".", 3) + 1)
          return Effect.map(Effect.promise(() => Crypto.decrypt(keys, sealed, key)), (plain) =>
            Option.map(
              plain === undefined ? Option.none() : decodeStored(plain),
              (stored) =>
                new AccessToken.AccessToken({
                  value: Redacted.make(stored.value),
                  tokenType: "Bearer",
                  scopes: stored.scopes,
                  issuedAt: stored.issuedAt,
                  expiresAt: stored.expiresAt
                })
            ))
        }
      )

      const set = (token: AccessToken.AccessToken) =>
        Effect.gen(function*() {
          const ttl = Math.floor(token.expiresAt - (yield* Clock.currentTimeMillis))
          if (!Number.isFinite(ttl) || ttl <= 0) return
          const plain = encodeStored({
            value: Redacted.value(token.value),
            scopes: token.scopes,
            issuedAt: token.issuedAt,
            expiresAt: token.expiresAt
          })
          const value = `${yield* idPrefix(token)}${yield* Effect.promise(() => Crypto.encrypt(keys, plain, key))}`
          yield* guard("set", (redis) => redis.set(key, value, "PX", ttl), Effect.void)
        })

      const invalidate = (token: AccessToken.AccessToken) =>
        Effect.flatMap(idPrefix(token), (id) =>
          guard("invalidate", (redis) => redis.luccaDeleteIfId(key, id), Effect.void))

      const release = Effect.asVoid(guard("release", (redis) =>
        redis.luccaDeleteIfOwner(leaseKey, owner), Effect.void))
      const unavailable: TokenStore.Lease = { _tag: "Unavailable" }
      const acquire = guard(
        "acquire",
        async (redis): Promise<TokenStore.Lease> => {
          const left = Number(await redis.luccaAcquireLease(leaseKey, owner, leaseMillis))
          if (left === -2) return { _tag: "Acquired", release }
          // never wait longer than one lease time, whatever the key says
          return { _tag: "Held", expiresIn: Duration.millis(left > 0 ? Math.min(left, leaseMillis) : leaseMillis) }
        },
        Effect.succeed(unavailable)
      )
      const held = guard("held", async (redis) => (await redis.exists(leaseKey)) === 1, Effect.succeed(false))
      return { get, set, invalidate: (token) => Effect.asVoid(invalidate(token)), acquire, held }
    })
})

/** What this process last learnt of an account's bucket in Redis, on its own clock. */
interface Seen {
  readonly remaining: number
  /** When the bucket's current refill interval started, on this process's clock. */
  readonly intervalStart: number
  readonly limit: number
  readonly refillMillis: number
}

/** The in-process bucket of an account, from an outage until it is full again. */
interface Local {
  tokens: number
  lastRefill: number
  readonly limit: number
  readonly refillMillis: number
}

/** @internal */
export type Store = RateLimiter.RateLimiterStore["Service"]

type TokenBucketOptions = Parameters<Store["tokenBucket"]>[0]

/**
 * A `RateLimiterStore` on the connection that falls back to this process's own bucket
 * while Redis is unavailable, without ever adding capacity to the process:
 *
 * - the fallback bucket of an account starts where Redis last left it for this process
 *   (its remaining tokens, negative when requests are already scheduled against it, and
 *   its refill interval, refilled since), not full: requests already waiting for their
 *   turn keep their place, and the ones that fall back queue behind them;
 * - once Redis answers again, the account stays on the process's bucket until that bucket
 *   is full (every request it scheduled is a full refill behind), so that the Redis
 *   bucket, which did not see them, never grants a burst on top of them. Nothing is charged
 *   to Redis afterwards: a command that timed out may still run there later.
 *
 * `fixedWindow` falls back to `memory`. The adaptive limits (`adaptiveConsume`,
 * `adaptiveFeedback`, which effect-lucca's pacing does not use) are `memory`'s: this
 * process's, not the fleet's.
 *
 * @internal
 */
export const makeRateLimiterStore = (connection: Connection, memory: Store): Store => {
  const keyOf = (key: string) => `${connection.prefix}rate:${key}`
  const seen = new Map<string, Seen>()
  const local = new Map<string, Local>()
  let sweepAt = 64
  // a bucket that would be full again says nothing: only the accounts paced lately are kept
  const sweep = (now: number) => {
    for (const [key, last] of seen) {
      if (last.intervalStart + (last.limit - last.remaining) * last.refillMillis <= now) seen.delete(key)
    }
    sweepAt = Math.max(64, seen.size * 2)
  }
  const refilled = (bucket: Local, now: number) => {
    const added = Math.floor((now - bucket.lastRefill) / bucket.refillMillis)
    if (added > 0) {
      bucket.tokens = Math.min(bucket.limit, bucket.tokens + added)
      bucket.lastRefill += added * bucket.refillMillis
    }
    // a full bucket counts its next refill from now, as the Redis script does
    if (bucket.tokens >= bucket.limit) bucket.lastRefill = now
    return bucket
  }
  const take = (bucket: Local, options: TokenBucketOptions, now: number) => {
    const remaining = bucket.tokens - options.tokens
    if (options.allowOverflow || remaining >= 0) bucket.tokens = remaining
    return [remaining, Math.max(0, now - bucket.lastRefill)] as const
  }
  // the account's bucket in process: the one of an outage not yet full again, or undefined
  const inProcess = (options: TokenBucketOptions, now: number) => {
    const bucket = local.get(options.key)
    if (bucket === undefined) return undefined
    if (
      bucket.limit !== options.limit || bucket.refillMillis !== Duration.toMillis(options.refillRate) ||
      refilled(bucket, now).tokens >= bucket.limit
    ) {
      local.delete(options.key)
      return undefined
    }
    return bucket
  }
  const fallback = (options: TokenBucketOptions) =>
    Effect.clockWith((clock) =>
      Effect.sync(() => {
        const now = clock.currentTimeMillisUnsafe()
        const refillMillis = Duration.toMillis(options.refillRate)
        let bucket = inProcess(options, now)
        if (bucket === undefined) {
          const last = seen.get(options.key)
          bucket = last !== undefined && last.limit === options.limit && last.refillMillis === refillMillis
            ? refilled(
              { tokens: last.remaining, lastRefill: last.intervalStart, limit: options.limit, refillMillis },
              now
            )
            : { tokens: options.limit, lastRefill: now, limit: options.limit, refillMillis }
          local.set(options.key, bucket)
        }
        return take(bucket, options, now)
      })
    )
  const remember = (options: TokenBucketOptions, remaining: number, elapsedMillis: number) =>
    Effect.clockWith((clock) =>
      Effect.sync(() => {
        const now = clock.currentTimeMillisUnsafe()
        if (!seen.has(options.key) && seen.size >= sweepAt) sweep(now)
        // what Redis kept: a refused request (no overflow) took nothing
        const kept = options.allowOverflow || remaining >= 0 ? remaining : remaining + options.tokens
        seen.set(options.key, {
          remaining: kept,
          intervalStart: now - elapsedMillis,
          limit: options.limit,
          refillMillis: Duration.toMillis(options.refillRate)
        })
        return [remaining, elapsedMillis] as const
      })
    )
  return RateLimiter.RateLimiterStore.of({
    tokenBucket: (options) =>
      Effect.clockWith((clock) => {
        const now = clock.currentTimeMillisUnsafe()
        const bucket = inProcess(options, now)
        if (bucket !== undefined) return Effect.sync(() => take(bucket, options, now))
        return connection.guard(
          "rate",
          async (redis) => {
            const [remaining, elapsed] = await redis.luccaTokenBucket(
              keyOf(options.key),
              options.tokens,
              Duration.toMillis(options.refillRate),
              options.limit,
              options.allowOverflow ? "1" : "0"
            )
            return { remaining: Number(remaining), elapsed: Number(elapsed) }
          },
          fallback(options)
        ).pipe(
          Effect.flatMap((answer) =>
            "remaining" in answer ? remember(options, answer.remaining, answer.elapsed) : Effect.succeed(answer)
          )
        )
      }),
    fixedWindow: (options) =>
      connection.guard(
        "rate",
        async (redis) => {
          const [count, ttl] = await redis.luccaFixedWindow(
            keyOf(options.key),
            options.tokens,
            Duration.toMillis(options.refillRate),
            options.limit ?? ""
          )
          return [Number(count), Number(ttl)] as const
        },
        Effect.orDie(memory.fixedWindow(options))
      ),
    adaptiveConsume: memory.adaptiveConsume,
    adaptiveFeedback: memory.adaptiveFeedback
  })
}
