/**
 * A token cache shared beyond one `TokenProvider`: by default there is none (each provider
 * caches alone); `@effect-lucca/redis` provides one shared by every process of a fleet.
 *
 * A cached provider consults the store before it requests a token, as follows:
 * - a stored token that is not expired, and newer than the one the provider holds, is
 *   used without any request;
 * - otherwise the provider tries to take the store's lease for that client: the one that
 *   gets it checks the store once more, requests a token and stores it; the others wait
 *   for the stored token until the lease expires, then try again;
 * - a store that cannot answer (down, slow) says `Unavailable` and the provider requests
 *   on its own: a store never fails a request;
 * - after a 401, the stored token is dropped only if it is still the one that failed; the
 *   provider also remembers the refused token and never takes it back from the store, so a
 *   store whose `invalidate` fails (a read-only Redis replica) or does nothing cannot hand
 *   it out again to that provider.
 *
 * The provider's in-process single-flight and refresh ahead are unchanged: the store only
 * decides whether one of its requests reaches the token endpoint.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as AccessToken from "./AccessToken.js"

/**
 * The client application a token belongs to. A store keys its tokens by token URL, client
 * id and sorted scopes, and may use the secret to encrypt them (it must never store it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: ReadonlyArray<string>
}

/**
 * The answer to a lease request.
 *
 * @since 0.1.0
 * @category models
 */
export type Lease =
  /** This provider requests the next token, stores it, then runs `release`. */
  | { readonly _tag: "Acquired"; readonly release: Effect.Effect<void> }
  /** Another holder is requesting; wait for the stored token, at most `expiresIn`. */
  | { readonly _tag: "Held"; readonly expiresIn: Duration.Duration }
  /** The store cannot coordinate right now: request alone. */
  | { readonly _tag: "Unavailable" }

/**
 * The store of one client application. No operation fails: a store that cannot answer
 * behaves as an empty one.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientStore {
  readonly get: Effect.Effect<Option.Option<AccessToken.AccessToken>>
  readonly set: (token: AccessToken.AccessToken) => Effect.Effect<void>
  /** Drops the stored token only if it is still `token`. */
  readonly invalidate: (token: AccessToken.AccessToken) => Effect.Effect<void>
  readonly acquire: Effect.Effect<Lease>
  /**
   * Whether a lease is held now, so that a waiter stops waiting as soon as a holder that
   * failed releases it (rather than at its expiry).
   */
  readonly held: Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The store of one client application, for the life of the scope (its provider's). */
  readonly forClient: (client: Client) => Effect.Effect<ClientStore, never, Scope.Scope>
}

const unavailable: Lease = { _tag: "Unavailable" }

// how long a second provider of one process waits for the first one's request
const heldWait = Duration.seconds(10)

/**
 * No shared store: every provider caches alone.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Service = {
  forClient: () =>
    Effect.succeed({
      get: Effect.succeedNone,
      set: () => Effect.void,
      invalidate: () => Effect.void,
      acquire: Effect.succeed(unavailable),
      held: Effect.succeed(false)
    })
}

/**
 * The store a cached provider consults. A `Context.Reference` whose default is
 * {@link none}, so that every existing layer keeps its behaviour and providing a store
 * (for example `LuccaRedis.layer`) below a `LuccaClient` or `TokenProvider` layer is
 * enough to share its tokens. (Effect 4 has no reference classes: it is a constant, and
 * its service type is {@link Service}.)
 *
 * @since 0.1.0
 * @category tags
 */
export const TokenStore: Context.Reference<Service> = Context.Reference<Service>("@effect-lucca/core/TokenStore", {
  defaultValue: () => none
})

/**
 * The key of a client's tokens: token URL, client id and sorted scopes (the order in
 * which scopes are asked for does not change the token).
 *
 * @since 0.1.0
 * @category utils
 */
export const keyOf = (client: Client): string =>
  JSON.stringify([client.tokenUrl, client.clientId, [...client.scopes].sort()])

/**
 * The in-process store, with what it holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryService extends Service {
  /** How many tokens it holds now: expired ones are dropped as they expire. */
  readonly size: Effect.Effect<number>
}

// the memory store's sweeper wakes at most once a second
const sweepInterval = 1_000

/**
 * A store shared by the providers of one process: two providers of the same client
 * application share their tokens and their requests. Tokens are held in memory only, and
 * dropped when they expire, whether or not anyone reads them again (a program that
 * releases tenant clients keeps none of their tokens past expiry): one fiber, in the
 * store's scope, sleeps until the next expiry while the store holds a token, and there is
 * none while it holds nothing.
 *
 * @example
 * ```ts
 * import { LuccaClient, TokenStore } from "@effect-lucca/core"
 * import { Layer, Redacted } from "effect"
 *
 * const options = {
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"]
 * }
 * // two clients of one application on two accounts: one token request between them
 * const Clients = Layer.mergeAll(
 *   LuccaClient.layer({ ...options, accountUrl: "https://a.ilucca.net" }),
 *   LuccaClient.layer({ ...options, accountUrl: "https://b.ilucca.net" })
 * ).pipe(Layer.provide(TokenStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<MemoryService, never, Scope.Scope> = Effect.gen(function*() {
  const scope = yield* Effect.scope
  const tokens = new Map<string, AccessToken.AccessToken>()
  const leases = new Set<string>()
  // The one sweeper, while the store holds a token that expires: when it wakes next, and
  // its fiber. Read and written in synchronous steps only, as the maps.
  interface Sweeper {
    wakeAt: number
    fiber?: Fiber.Fiber<void>
  }
  let sweeper: Sweeper | undefined
  const nextExpiry = () => {
    let next = Number.POSITIVE_INFINITY
    for (const token of tokens.values()) next = Math.min(next, token.expiresAt)
    return next
  }
  // Sleeps until the next expiry, drops what expired, and ends once nothing is left that
  // expires (or another sweeper replaced it).
  const sweep = (self: Sweeper): Effect.Effect<void> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sleep(Duration.millis(Math.max(0, self.wakeAt - now))))
      .pipe(
        Effect.andThen(Effect.clockWith((clock) =>
          Effect.sync(() => {
            if (sweeper !== self) return false
            const now = clock.currentTimeMillisUnsafe()
            for (const [key, token] of tokens) if (token.expiresAt <= now) tokens.delete(key)
            const next = nextExpiry()
            if (!Number.isFinite(next)) {
              sweeper = undefined
              return false
            }
            // tokens that expire close together are dropped together
            self.wakeAt = Math.max(next, now + sweepInterval)
            return true
          })
        )),
        Effect.flatMap((again) => again ? sweep(self) : Effect.void)
      )
  // (re)starts the sweeper when a token expires before its next wake-up; uninterruptible,
  // so that no sweeper is registered without its fiber
  const schedule = (expiresAt: number): Effect.Effect<void> =>
    Effect.uninterruptible(Effect.suspend(() => {
      if (!Number.isFinite(expiresAt) || (sweeper !== undefined && sweeper.wakeAt <= expiresAt)) return Effect.void
      const previous = sweeper?.fiber
      const next: Sweeper = { wakeAt: expiresAt }
      sweeper = next
      // the sweeper itself stays interruptible, so that closing the scope stops it at once
      return Effect.flatMap(Effect.forkIn(Effect.interruptible(sweep(next)), scope), (fiber) => {
        next.fiber = fiber
        return previous === undefined ? Effect.void : Effect.asVoid(Effect.forkDetach(Fiber.interrupt(previous)))
      })
    }))
  return {
    size: Effect.sync(() => tokens.size),
    forClient: (client) =>
      Effect.sync(() => {
        const key = keyOf(client)
        return {
          get: Effect.clockWith((clock) =>
            Effect.sync(() => {
              const token = tokens.get(key)
              if (token === undefined || token.expiresAt > clock.currentTimeMillisUnsafe()) {
                return Option.fromNullishOr(token)
              }
              tokens.delete(key)
              return Option.none()
            })
          ),
          set: (token) => Effect.andThen(Effect.sync(() => void tokens.set(key, token)), schedule(token.expiresAt)),
          invalidate: (token) =>
            Effect.sync(() => {
              const stored = tokens.get(key)
              if (stored !== undefined && AccessToken.isSame(stored, token)) tokens.delete(key)
            }),
          acquire: Effect.sync((): Lease => {
            // in one process the providers' own single-flight is enough: a second provider
            // waits briefly and then requests alone
            if (leases.has(key)) return { _tag: "Held", expiresIn: heldWait }
            leases.add(key)
            return { _tag: "Acquired", release: Effect.sync(() => void leases.delete(key)) }
          }),
          held: Effect.sync(() => leases.has(key))
        }
      })
  }
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<never> = Layer.effect(TokenStore, makeMemory)
