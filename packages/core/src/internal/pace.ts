import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** @internal */
export interface Settings {
  readonly requests: number
  readonly per: Duration.Duration
  readonly burst: number
}

/**
 * The pacing step: each request waits for its turn in a token bucket of the account's
 * budget (`RateLimiter.makeSleep`), which allows `burst` requests at once and refills at
 * `requests - burst` per `per`, so that no window of `per` ever holds more than
 * `requests`. A store that fails (Redis down) logs a warning and lets the request go.
 *
 * @internal
 */
export const make = (
  settings: Settings,
  accountOrigin: string
): Effect.Effect<<E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>, never, RateLimiter.RateLimiter> =>
  Effect.map(RateLimiter.makeSleep, (sleep) => {
    const turn = sleep({
      algorithm: "token-bucket",
      key: `effect-lucca:${accountOrigin}`,
      limit: settings.burst,
      // refill `burst` tokens every `window`: (requests - burst) per `per`
      window: Duration.times(settings.per, settings.burst / (settings.requests - settings.burst))
    }).pipe(
      Effect.catchAll((error) => Effect.logWarning("Lucca request pacing is unavailable", error))
    )
    return (self) => HttpClient.transform(self, (effect) => Effect.zipRight(turn, effect))
  })

/**
 * A private, in-memory limiter, for a client that shares its budget with no other.
 *
 * @internal
 */
export const layerMemory: Layer.Layer<RateLimiter.RateLimiter> = Layer.provide(
  RateLimiter.layer,
  RateLimiter.layerStoreMemory
)
