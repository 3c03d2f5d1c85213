import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"

/** @internal */
export interface Settings {
  readonly requests: number
  readonly per: Duration.Duration
  readonly burst: number
}

/**
 * A turn in the account's budget: a token bucket (`RateLimiter`, algorithm
 * `token-bucket`, delayed rather than refused) which allows `burst` requests at once and
 * refills at `requests - burst` per `per`, so that no window of `per` ever holds more than
 * `requests`. The refill is counted over `per` plus {@link jitterMargin} of it: requests
 * leave on time but reach the server a little early or late (network, a busy event loop),
 * and the window right after a burst has no other slack. A store that fails (Redis down)
 * logs a warning and lets the request go.
 *
 * @internal
 */
export const turn = (
  budget: RateLimiter.RateLimiter,
  settings: Settings,
  accountOrigin: string
): Effect.Effect<void> =>
  RateLimiter.sleep(budget)({
    algorithm: "token-bucket",
    key: keyOf(accountOrigin),
    limit: settings.burst,
    // refill `burst` tokens every `window`: (requests - burst) per `per` and its margin
    window: Duration.times(settings.per, (1 + jitterMargin) * settings.burst / (settings.requests - settings.burst))
  }).pipe(
    Effect.asVoid,
    Effect.catch((error) => Effect.logWarning("Lucca request pacing is unavailable", error))
  )

/**
 * The pacing step: once `ready` (the token is at hand), each request waits for `turn`.
 * `ready` first: a turn taken while the token is fetched would be spent waiting, and the
 * requests held meanwhile would all reach the server at once, in a window already open.
 *
 * @internal
 */
export const make = <E, R, E2>(
  self: HttpClient.HttpClient.With<E, R>,
  turn: Effect.Effect<void>,
  ready: Effect.Effect<unknown, E2> | undefined
): HttpClient.HttpClient.With<E | E2, R> =>
  // (`HttpClient.With` is invariant in its error: the first branch is widened to the union)
  ready === undefined
    ? HttpClient.transform(self, (effect) => Effect.andThen(turn, effect)) as HttpClient.HttpClient.With<E | E2, R>
    : HttpClient.transform(self, (effect) => Effect.andThen(ready, Effect.andThen(turn, effect)))

/**
 * The share of `per` left unused for jitter: 0.5 %, that is 0.3 s of Lucca's minute on
 * top of the refill interval (1.3 s), for 0.5 % of the throughput.
 *
 * @internal
 */
export const jitterMargin = 0.005

/**
 * The key of an account's budget in a `RateLimiter` store: Lucca counts per tenant (the
 * account origin), whatever the client application.
 *
 * @internal
 */
export const keyOf = (accountOrigin: string): string => `effect-lucca:${accountOrigin}`

interface Bucket {
  tokens: number
  lastRefill: number
  readonly limit: number
  readonly refillMillis: number
}

interface Buckets {
  readonly byKey: Map<string, Bucket>
  sweepAt: number
}

const refill = (bucket: Bucket, now: number) => {
  const added = Math.floor((now - bucket.lastRefill) / bucket.refillMillis)
  if (added > 0) {
    bucket.tokens = Math.min(bucket.limit, bucket.tokens + added)
    bucket.lastRefill += added * bucket.refillMillis
  }
  // a full bucket counts its next refill from now, as Effect's memory store does
  if (bucket.tokens >= bucket.limit) bucket.lastRefill = now
}

// a full bucket says nothing a new one would not: only the accounts paced lately are kept
const sweep = (buckets: Buckets, now: number) => {
  for (const [key, bucket] of buckets.byKey) {
    refill(bucket, now)
    if (bucket.tokens >= bucket.limit || now < bucket.lastRefill) buckets.byKey.delete(key)
  }
  buckets.sweepAt = Math.max(64, buckets.byKey.size * 2)
}

/**
 * A token-bucket store in memory, as `RateLimiter.layerStoreMemory`'s, with what a store
 * that lives as long as the process needs:
 *
 * - buckets are kept per `Clock`: a bucket holds times read on one clock, which mean
 *   nothing on another (in production there is one clock; each test's `TestClock` gets
 *   buckets of its own, so that tests do not pace one another);
 * - a bucket that has refilled completely is dropped, so that the store holds only the
 *   accounts paced lately (a sweep runs on a call, when the map has doubled since the last
 *   one, never on a timer);
 * - a clock that goes back (set back by hand) starts the bucket afresh instead of holding
 *   requests for the difference.
 *
 * The fixed window and the adaptive limits (for a `RateLimiter` handed to other code) are
 * Effect's memory store's.
 *
 * @internal
 */
export const makeStore = (): RateLimiter.RateLimiterStore["Service"] => {
  const memory = Effect.runSync(
    Effect.scoped(Effect.flatMap(Layer.build(RateLimiter.layerStoreMemory), (context) => Effect.succeed(context)))
  )
  const others = memory.mapUnsafe.get(RateLimiter.RateLimiterStore.key) as RateLimiter.RateLimiterStore["Service"]
  const byClock = new WeakMap<Clock.Clock, Buckets>()
  return {
    tokenBucket: (options) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const now = clock.currentTimeMillisUnsafe()
          const refillMillis = Duration.toMillis(options.refillRate)
          let buckets = byClock.get(clock)
          if (buckets === undefined) {
            buckets = { byKey: new Map(), sweepAt: 64 }
            byClock.set(clock, buckets)
          }
          let bucket = buckets.byKey.get(options.key)
          if (
            bucket === undefined || now < bucket.lastRefill || bucket.limit !== options.limit ||
            bucket.refillMillis !== refillMillis
          ) {
            if (bucket === undefined && buckets.byKey.size >= buckets.sweepAt) sweep(buckets, now)
            bucket = { tokens: options.limit, lastRefill: now, limit: options.limit, refillMillis }
            buckets.byKey.set(options.key, bucket)
          } else {
            refill(bucket, now)
          }
          const remaining = bucket.tokens - options.tokens
          if (options.allowOverflow || remaining >= 0) bucket.tokens = remaining
          return [remaining, Math.max(0, now - bucket.lastRefill)] as const
        })
      ),
    fixedWindow: others.fixedWindow,
    adaptiveConsume: others.adaptiveConsume,
    adaptiveFeedback: others.adaptiveFeedback
  }
}

const processLimiterKey = Symbol.for("@effect-lucca/core/Pace/processLimiter")

/**
 * The default budget (`LuccaPacing.RateBudget`): one `RateLimiter` per process, so that
 * every client of an account in the process (whatever its client application, whichever
 * layer built it) draws on the same bucket, as Lucca counts. A key on `globalThis`, not
 * only the reference's default: it also survives a second copy of this module (ESM and
 * CJS, or two versions) in one process. It is created on first use and holds no timer or
 * fiber: a bucket is plain data computed from the clock when a request asks for its turn.
 *
 * @internal
 */
export const processLimiter = (): RateLimiter.RateLimiter => {
  const holder = globalThis as { [processLimiterKey]?: RateLimiter.RateLimiter }
  return holder[processLimiterKey] ??= Effect.runSync(
    Effect.provideService(RateLimiter.make, RateLimiter.RateLimiterStore, makeStore())
  )
}
