/**
 * One process of the fleet scenario: a `LuccaClient` over Redis (or alone), which tells
 * the parent it is ready over IPC, sends its batch when told, reports, and exits.
 *
 * @since 0.0.0
 */
import { LuccaClient, LuccaPacing } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { LuccaRedis } from "@effect-lucca/redis"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Emulator from "./Emulator.js"

/**
 * What the parent passes as the one argument (JSON).
 *
 * @since 0.0.0
 * @category models
 */
export interface Input {
  readonly address: Emulator.Address
  readonly path: string
  /** `undefined`: this process paces and caches alone. */
  readonly redisUrl: string | undefined
  readonly requests: number
  readonly limit: number
  readonly windowMillis: number
  readonly burst: number
  readonly refreshWindowMillis: number
}

const input = JSON.parse(process.argv[2]!) as Input

const shared = input.redisUrl === undefined
  ? Layer.effect(LuccaPacing.RateBudget, RateLimiter.make).pipe(Layer.provide(RateLimiter.layerStoreMemory))
  : LuccaRedis.layer({ url: input.redisUrl })

const LuccaLive = LuccaClient.layer({
  clientId: Emulator.credentials.clientId,
  clientSecret: Redacted.make(Emulator.credentials.clientSecret),
  scopes: Emulator.credentials.scopes,
  tokenUrl: input.address.tokenUrl,
  accountUrl: input.address.url,
  rateLimit: { requests: input.limit, per: Duration.millis(input.windowMillis), burst: input.burst },
  // short tokens: refresh in their last tenth, so that a lifetime costs one request
  refreshWindow: Duration.millis(input.refreshWindowMillis),
  hardMargin: Duration.millis(input.refreshWindowMillis / 2)
}).pipe(Layer.provide([NodeLucca.layerHttpClient, shared]))

const program = Effect.gen(function*() {
  const lucca = yield* LuccaClient.LuccaClient
  yield* Effect.promise(() =>
    new Promise<void>((resolve) => {
      process.once("message", () => resolve())
      process.send!("ready")
    })
  )
  let ok = 0
  yield* Effect.forEach(
    Array.from({ length: input.requests }),
    () => lucca.get(input.path, Schema.Unknown).pipe(Effect.match({ onFailure: () => {}, onSuccess: () => ok++ })),
    { concurrency: "unbounded", discard: true }
  )
  yield* Effect.promise(() => new Promise<void>((resolve) => process.send!({ ok }, undefined, {}, () => resolve())))
}).pipe(Effect.provide(LuccaLive), Logger.withMinimumLogLevel(LogLevel.Error))

process.once("disconnect", () => process.exit(1))
Effect.runPromise(program).then(() => process.exit(0), () => process.exit(1))
