/**
 * Client-side pacing to Lucca's limit of 50 requests a minute per account: the account's
 * budget ({@link RateBudget}) and the step that takes a turn of it ({@link pace}).
 *
 * The budget is the account's, as Lucca counts it: by default every client of the same
 * account origin in the process draws on one bucket, whatever its client application.
 * Provide another `RateBudget` (for example `LuccaRedis.layer`, shared by the processes of
 * a fleet) below the client's layer to replace it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as HttpClient from "effect/http/HttpClient"
import type * as RateLimiter from "effect/persistence/RateLimiter"
import { isHttpClient } from "./internal/http.js"
import * as InternalOptions from "./internal/options.js"
import * as internal from "./internal/pace.js"

/**
 * The rate budget that pacing draws on: a `RateLimiter` whose token buckets are keyed by
 * account origin. A `Context.Reference`: its default is the process-wide budget (one
 * bucket per account, in memory), and providing one (`LuccaRedis.layer`, or
 * `Layer.succeed(LuccaPacing.RateBudget, limiter)`) below a `LuccaClient` layer is enough
 * for its clients to draw on it. (Effect 4 has no reference classes: it is a constant,
 * and its service type is `RateLimiter.RateLimiter`.)
 *
 * @example
 * ```ts
 * import { LuccaClient, LuccaPacing } from "@effect-lucca/core"
 * import { Layer, Redacted } from "effect"
 * import * as RateLimiter from "effect/persistence/RateLimiter"
 *
 * // a budget of its own, instead of the process-wide one
 * const Budget = Layer.effect(LuccaPacing.RateBudget, RateLimiter.make).pipe(
 *   Layer.provide(RateLimiter.layerStoreMemory)
 * )
 * const LuccaLive = LuccaClient.layer({
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"],
 *   accountUrl: "https://example.ilucca.net"
 * }).pipe(Layer.provide(Budget)) // Layer<LuccaClient, ConfigError, HttpClient>
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const RateBudget: Context.Reference<RateLimiter.RateLimiter> = Context.Reference<RateLimiter.RateLimiter>(
  "@effect-lucca/core/LuccaPacing/RateBudget",
  { defaultValue: internal.processLimiter }
)

/**
 * Whose budget, and how it refills.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The account origin, such as `https://example.ilucca.net`: its budget is drawn on. */
  readonly origin: string | URL
  /** Defaults to 50 (Lucca's limit per account). */
  readonly requests?: number | undefined
  /** Defaults to one minute. */
  readonly per?: Duration.Input | undefined
  /** Defaults to 5; must be below `requests`. */
  readonly burst?: number | undefined
  /** Defaults to the {@link RateBudget} in the context of each request. */
  readonly budget?: RateLimiter.RateLimiter | undefined
}

const settingsOf = (options: Options): internal.Settings => ({
  requests: options.requests ?? InternalOptions.defaults.rateLimit.requests,
  per: options.per === undefined ? InternalOptions.defaults.rateLimit.per : Duration.fromInputUnsafe(options.per),
  burst: options.burst ?? InternalOptions.defaults.rateLimit.burst
})

const originOf = (origin: string | URL): string =>
  typeof origin !== "string" ? origin.origin : URL.canParse(origin) ? new URL(origin).origin : origin

/**
 * Waits for a turn in the account's budget: for a request sent below {@link pace}, such
 * as the retry with a fresh token after a 401 (`TokenProvider.authenticate`'s
 * `beforeRetry`).
 *
 * @example
 * ```ts
 * import { LuccaPacing } from "@effect-lucca/core"
 *
 * const turn = LuccaPacing.turn({ origin: "https://example.ilucca.net" }) // Effect<void>
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const turn = (options: Options): Effect.Effect<void> => {
  const settings = settingsOf(options)
  const origin = originOf(options.origin)
  return options.budget === undefined
    ? Effect.flatMap(RateBudget, (budget) => internal.turn(budget, settings, origin))
    : internal.turn(options.budget, settings, origin)
}

/**
 * The pacing step: each request waits for its turn in the account's budget, a token
 * bucket that allows `burst` requests at once and refills at `requests - burst` per `per`
 * (less 0.5 % of it, left for network jitter), so that no window of `per` ever holds more
 * than `requests`. With `awaitToken` (the token provider's `get`), a request takes its
 * turn only once the token is at hand: a turn taken while a slow token host answers would
 * be spent waiting, and the requests held meanwhile would reach the server at once. A
 * budget that fails (Redis down) logs a warning and lets the request go.
 *
 * Apply it above `TokenProvider.authenticate` and below `LuccaRetry.retry`, so that
 * every retry takes a turn of its own.
 *
 * @example
 * ```ts
 * import { LuccaPacing, TokenProvider } from "@effect-lucca/core"
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * const origin = "https://example.ilucca.net"
 * const client = Effect.gen(function*() {
 *   const provider = yield* TokenProvider.TokenProvider
 *   return (yield* HttpClient.HttpClient).pipe(
 *     TokenProvider.authenticate(provider, { origin, beforeRetry: LuccaPacing.turn({ origin }) }),
 *     LuccaPacing.pace({ origin, awaitToken: provider.get })
 *   )
 * })
 * ```
 *
 * @see https://developers.lucca.fr/ (Rate limiting: 50 requests a minute per account)
 * @since 0.1.0
 * @category combinators
 */
export const pace: {
  <E2 = never>(
    options: Options & { readonly awaitToken?: Effect.Effect<unknown, E2> | undefined }
  ): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | E2, R>
  <E, R, E2 = never>(
    self: HttpClient.HttpClient.With<E, R>,
    options: Options & { readonly awaitToken?: Effect.Effect<unknown, E2> | undefined }
  ): HttpClient.HttpClient.With<E | E2, R>
} = dual(
  (args) => isHttpClient(args[0]),
  <E, R, E2>(
    self: HttpClient.HttpClient.With<E, R>,
    options: Options & { readonly awaitToken?: Effect.Effect<unknown, E2> | undefined }
  ): HttpClient.HttpClient.With<E | E2, R> => internal.make(self, turn(options), options.awaitToken)
)
