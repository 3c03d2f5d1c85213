import type * as LuccaWebhooks from "@effect-lucca/core/LuccaWebhooks"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redis from "./redis.js"

/**
 * Claims as `SET key owner NX PX ttl`: Redis runs commands one at a time, so of two
 * processes that receive the same event at once, exactly one gets `OK`. The owner (this
 * process's id plus a counter) makes a release delete only this process's claim.
 *
 * @internal
 */
export const makeDeduplication = (connection: Redis.Connection): LuccaWebhooks.Deduplication => {
  const { guard, prefix } = connection
  const instance = crypto.randomUUID()
  let counter = 0
  // the claims this process holds, for release; at most the events being handled
  const owners = new Map<string, string>()
  const keyOf = (key: string) => `${prefix}webhook:${key}`
  return {
    claim: (key, ttl) =>
      Effect.suspend(() => {
        const owner = `${instance}:${counter++}`
        const millis = Math.max(1, Math.ceil(Duration.toMillis(ttl)))
        return guard(
          "webhookClaim",
          async (redis): Promise<LuccaWebhooks.Claim> =>
            await redis.set(keyOf(key), owner, "PX", millis, "NX") === "OK" ? "Claimed" : "Duplicate",
          Effect.succeed<LuccaWebhooks.Claim>("Unavailable")
        ).pipe(Effect.tap((claim) => claim === "Claimed" ? Effect.sync(() => owners.set(key, owner)) : Effect.void))
      }),
    release: (key) =>
      Effect.suspend(() => {
        const owner = owners.get(key)
        owners.delete(key)
        if (owner === undefined) return Effect.void
        // compare-and-delete (the lease's script): a process releases only the claim it made
        return guard("webhookRelease", (redis) => redis.luccaDeleteIfOwner(keyOf(key), owner), Effect.void).pipe(
          Effect.asVoid
        )
      })
  }
}
