import * as AccessToken from "@effect-lucca/core/AccessToken"
import * as TokenStore from "@effect-lucca/core/TokenStore"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Redis, type RedisOptions } from "ioredis"
import * as Crypto from "./crypto.js"

/** @internal */
export interface Settings {
  readonly url: Redacted.Redacted<string> | undefined
  readonly redis: RedisOptions
  readonly prefix: string
  readonly commandTimeout: Duration.Duration
  readonly leaseTtl: Duration.Duration
}

/** @internal */
export const fallbacks = Metric.counter("lucca_redis_fallbacks_total", {
  description: "Redis commands that failed or timed out, answered in process instead, by operation",
  incremental: true
})

/** @internal */
export interface Connection {
  readonly redis: Redis
  readonly prefix: string
  readonly leaseTtl: Duration.Duration
  /**
   * Runs a command within the command timeout; on failure, answers with `fallback`, warns
   * once per outage, counts it in `lucca_redis_fallbacks_total`, and logs the recovery.
   */
  readonly guard: <A, B>(
    operation: string,
    command: (redis: Redis) => Promise<A>,
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
    const options: RedisOptions = {
      connectTimeout: Math.max(timeout, 1000),
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
        return redis
      }),
      (redis) =>
        Effect.promise(() => redis.quit()).pipe(
          Effect.timeout(timeout),
          Effect.catchAllCause(() => Effect.void),
          Effect.ensuring(Effect.sync(() => redis.disconnect()))
        )
    )
    // the first commands would fail while the connection opens: wait for it, briefly
    yield* Effect.async<void>((resume) => {
      if (redis.status === "ready") return resume(Effect.void)
      const done = () => resume(Effect.void)
      redis.once("ready", done)
      return Effect.sync(() => redis.off("ready", done))
    }).pipe(Effect.timeout(options.connectTimeout!), Effect.ignore)

    let down = false
    const guard = <A, B>(operation: string, command: (redis: Redis) => Promise<A>, fallback: Effect.Effect<B>) =>
      Effect.tryPromise(() => command(redis)).pipe(
        Effect.timeout(timeout),
        Effect.matchEffect({
          onFailure: (error) =>
            Effect.suspend(() => {
              const first = !down
              down = true
              return Metric.increment(Metric.tagged(fallbacks, "operation", operation)).pipe(
                Effect.zipRight(
                  first
                    ? Effect.logWarning(
                      "Redis is unavailable: Lucca tokens and pacing fall back to this process until it is back"
                    ).pipe(Effect.annotateLogs({ operation, error: errorName(error) }))
                    : Effect.void
                ),
                Effect.zipRight(fallback)
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

const StoredToken = Schema.parseJson(Schema.Struct({
  value: Schema.NonEmptyString,
  scopes: Schema.Array(Schema.String),
  issuedAt: Schema.Number,
  expiresAt: Schema.Number
}))
const decodeStored = Schema.decodeUnknownOption(StoredToken)
const encodeStored = Schema.encodeSync(StoredToken)

// compare-and-delete: the value starts with the id of the token that failed
const deleteIfId = `
if string.sub(redis.call("GET", KEYS[1]) or "", 1, #ARGV[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`

// compare-and-delete of a lease: only its owner releases it
const deleteIfOwner = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`

// take the lease, or say how long it is held for; a lease key without expiry (a holder's
// key that lost its TTL: PERSIST, a restore, a foreign write) would be held forever, so it
// is given one lease time. -2: acquired.
const acquireLease = `
if redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  return -2
end
local left = redis.call("PTTL", KEYS[1])
if left < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
return left`

/**
 * The token store on one connection. A value is `v1.<id>.<iv>.<ciphertext>`: the id is a
 * keyed hash of the token (for compare-and-delete), the ciphertext holds the token and its
 * scopes and times; the key expires with the token.
 *
 * @internal
 */
export const makeTokenStore = (connection: Connection): TokenStore.Service => ({
  forClient: (client) =>
    Effect.gen(function*() {
      const { guard, prefix } = connection
      const context = TokenStore.keyOf(client)
      const key = `${prefix}token:${yield* Crypto.digest(context)}`
      const leaseKey = `${key}:lease`
      const keys = yield* Crypto.deriveKeys(client.clientSecret, context)
      const leaseMillis = Duration.toMillis(connection.leaseTtl)
      const owner = crypto.randomUUID()
      const idPrefix = (token: AccessToken.AccessToken) =>
        Effect.map(Crypto.tokenId(keys, token.value), (id) => `v1.${id}.`)

      const get = Effect.flatMap(
        guard("get", (redis) => redis.get(key), Effect.succeed(null)),
        (value): Effect.Effect<Option.Option<AccessToken.AccessToken>> => {
          if (value === null || !value.startsWith("v1.")) return Effect.succeedNone
          const sealed = value.slice(value.indexOf(".", 3) + 1)
          return Effect.map(Crypto.decrypt(keys, sealed, key), (plain) =>
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
          const ttl = Math.floor(token.expiresAt - (yield* Effect.clockWith((clock) => clock.currentTimeMillis)))
          if (!Number.isFinite(ttl) || ttl <= 0) return
          const plain = encodeStored({
            value: Redacted.value(token.value),
            scopes: token.scopes,
            issuedAt: token.issuedAt,
            expiresAt: token.expiresAt
          })
          const value = `${yield* idPrefix(token)}${yield* Crypto.encrypt(keys, plain, key)}`
          yield* guard("set", (redis) => redis.set(key, value, "PX", ttl), Effect.void)
        })

      const invalidate = (token: AccessToken.AccessToken) =>
        Effect.flatMap(idPrefix(token), (id) =>
          guard("invalidate", (redis) => redis.eval(deleteIfId, 1, key, id), Effect.void))

      const release = guard("release", (redis) =>
        redis.eval(deleteIfOwner, 1, leaseKey, owner), Effect.void).pipe(
          Effect.asVoid
        )
      const unavailable: TokenStore.Lease = { _tag: "Unavailable" }
      const acquire = guard(
        "acquire",
        async (redis): Promise<TokenStore.Lease> => {
          const left = Number(await redis.eval(acquireLease, 1, leaseKey, owner, leaseMillis))
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

// A token bucket like @effect/experimental's Redis store, with two differences: the time
// comes from Redis (one clock for the whole fleet, whatever the hosts' skew), and the key
// expires once the bucket would be full again, so idle tenants leave nothing behind.
const tokenBucket = `
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local overflow = ARGV[4] == "1"
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call("HMGET", key, "tokens", "refill")
local current = tonumber(state[1])
local last = tonumber(state[2])
if not current then
  current = limit
  last = now
end
local refill = math.floor((now - last) / refill_ms)
if refill > 0 then
  current = math.min(current + refill, limit)
  last = last + refill * refill_ms
end
local next = current - tokens
local kept = next
if next < 0 and not overflow then kept = current end
redis.call("HSET", key, "tokens", kept, "refill", last)
redis.call("PEXPIRE", key, math.max(1, math.ceil((limit - kept + 1) * refill_ms)))
return next`

// @effect/experimental's fixed window, with whole milliseconds for PX (a refill rate such as
// 2 s / 45 is not a whole number, and PX refuses a fraction)
const fixedWindow = `
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refillms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local current = tonumber(redis.call("GET", key))
if not current then
  local nextpttl = math.ceil(refillms * tokens)
  redis.call("SET", key, tokens, "PX", nextpttl)
  return { tokens, nextpttl }
end
local currentpttl = tonumber(redis.call("PTTL", key) or "0")
local next = current + tokens
if limit and next > limit then
  return { next, currentpttl }
end
local nextpttl = math.ceil(currentpttl + (refillms * tokens))
redis.call("SET", key, next, "PX", nextpttl)
return { next, nextpttl }`

/**
 * A `RateLimiterStore` on the connection that falls back to `memory` (this process's own
 * pacing) while Redis is unavailable.
 *
 * @internal
 */
export const makeRateLimiterStore = (
  connection: Connection,
  memory: RateLimiter.RateLimiterStore["Type"]
): RateLimiter.RateLimiterStore["Type"] => {
  const keyOf = (key: string) => `${connection.prefix}rate:${key}`
  return RateLimiter.RateLimiterStore.of({
    tokenBucket: (options) =>
      connection.guard(
        "rate",
        async (redis) =>
          Number(
            await redis.eval(
              tokenBucket,
              1,
              keyOf(options.key),
              options.tokens,
              Duration.toMillis(options.refillRate),
              options.limit,
              options.allowOverflow ? "1" : "0"
            )
          ),
        Effect.orDie(memory.tokenBucket(options))
      ),
    fixedWindow: (options) =>
      connection.guard(
        "rate",
        async (redis) => {
          const [count, ttl] = await redis.eval(
            fixedWindow,
            1,
            keyOf(options.key),
            options.tokens,
            Duration.toMillis(options.refillRate),
            options.limit ?? ""
          ) as [number, number]
          return [Number(count), Number(ttl)] as const
        },
        Effect.orDie(memory.fixedWindow(options))
      )
  })
}
