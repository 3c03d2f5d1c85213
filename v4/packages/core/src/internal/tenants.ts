import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

class Entry<A, E> {
  holders = 0
  /** Taken out of the map (expired, invalidated, failed): its scope closes with its last holder. */
  removed = false
  /** Epoch milliseconds, from `Clock`. */
  idleSince = 0
  /**
   * The built resource once there is one. The `Deferred` the first callers wait on is
   * dropped then: a `Deferred` costs more heap than the rest of an idle entry.
   */
  built: Exit.Exit<A, E> | undefined = undefined
  constructor(
    public deferred: Deferred.Deferred<A, E> | undefined,
    readonly scope: Scope.Closeable
  ) {}
}

/** @internal */
export interface Registry<A, E> {
  readonly get: (key: string) => Effect.Effect<A, E, Scope.Scope>
  readonly keys: Effect.Effect<ReadonlyArray<string>>
  readonly invalidate: (key: string) => Effect.Effect<void>
}

/**
 * Resources by key, built on first use, kept while held and for `idleTimeToLive` after:
 * what `RcMap` does, with the cost of an idle entry cut to what it holds. `RcMap` keeps a
 * sleeping fiber (and its timer) per idle entry and a copy of the context per entry; here
 * one fiber serves every idle entry, and only while there is one: the idle entries are a
 * `Map` in the order they became idle (all have the same time to live), so the sweeper
 * sleeps until the first one expires, releases the expired ones from the front, and ends
 * when none is left. A build that fails is not kept: the next use tries again.
 *
 * @internal
 */
export const make = <A, E, R>(
  lookup: (key: string) => Effect.Effect<A, E, R | Scope.Scope>,
  idleTimeToLive: Duration.Input
): Effect.Effect<Registry<A, E>, never, Exclude<R, Scope.Scope> | Scope.Scope> =>
  Effect.gen(function*() {
    const ttl = Duration.toMillis(Duration.fromInputUnsafe(idleTimeToLive))
    const parent = yield* Effect.scope
    const context = yield* Effect.context<Exclude<R, Scope.Scope>>()
    const entries = new Map<string, Entry<A, E>>()
    const idle = new Map<string, Entry<A, E>>()
    let sweeping = false
    let closed = false

    const close = (entry: Entry<A, E>) => Scope.close(entry.scope, Exit.void)

    const remove = (key: string, entry: Entry<A, E>): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (entries.get(key) === entry) entries.delete(key)
        if (idle.get(key) === entry) idle.delete(key)
        entry.removed = true
        return entry.holders === 0 ? close(entry) : Effect.void
      })

    const sweep: Effect.Effect<void> = Effect.suspend(() => {
      const now = Clock.currentTimeMillis
      return Effect.flatMap(now, (now) => {
        const expired: Array<[string, Entry<A, E>]> = []
        let wait: number | undefined
        for (const [key, entry] of idle) {
          if (entry.idleSince + ttl > now) {
            wait = entry.idleSince + ttl - now
            break
          }
          expired.push([key, entry])
        }
        const released = Effect.forEach(expired, ([key, entry]) => remove(key, entry), { discard: true })
        if (wait === undefined) {
          sweeping = false
          return released
        }
        return Effect.andThen(released, Effect.andThen(Effect.sleep(Duration.millis(wait)), sweep))
      })
    })

    const release = (key: string, entry: Entry<A, E>): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        entry.holders--
        if (entry.holders > 0) return Effect.void
        if (entry.removed || closed) return close(entry)
        if (ttl === 0) return remove(key, entry)
        if (ttl === Infinity) return Effect.void
        entry.idleSince = now
        idle.delete(key)
        idle.set(key, entry)
        if (sweeping) return Effect.void
        sweeping = true
        // released in a finalizer, which is uninterruptible: the sweeper must not inherit that
        return Effect.asVoid(Effect.forkIn(Effect.interruptible(sweep), parent))
      })

    const acquire = (key: string): Effect.Effect<Entry<A, E>> =>
      Effect.gen(function*() {
        const scope = yield* Scope.fork(parent, "sequential")
        const entry = new Entry<A, E>(Deferred.makeUnsafe<A, E>(), scope)
        entries.set(key, entry)
        // built in the registry's scope, not in the first caller's fiber: interrupting that
        // caller must not interrupt the build the others wait for
        yield* lookup(key).pipe(
          Scope.provide(scope),
          Effect.provide(context),
          // `get` starts it in its uninterruptible region: the build itself stays interruptible
          // (the registry closing), and its outcome, interruption included, reaches the waiters
          Effect.interruptible,
          Effect.exit,
          Effect.tap((exit) => Exit.isFailure(exit) ? remove(key, entry) : Effect.void),
          Effect.flatMap((exit) => {
            const deferred = entry.deferred!
            entry.built = exit
            entry.deferred = undefined
            return Deferred.done(deferred, exit)
          }),
          Effect.forkIn(parent)
        )
        return entry
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        const all = [...entries.values()]
        entries.clear()
        idle.clear()
        return Effect.forEach(all, close, { discard: true })
      })
    )

    const get = (key: string): Effect.Effect<A, E, Scope.Scope> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          if (closed) return yield* Effect.interrupt
          const found = entries.get(key)
          const entry = found ?? (yield* acquire(key))
          entry.holders++
          idle.delete(key)
          yield* Effect.addFinalizer(() => release(key, entry))
          return yield* entry.built ?? restore(Deferred.await(entry.deferred!))
        })
      )

    return {
      get,
      keys: Effect.sync(() => [...entries.keys()]),
      invalidate: (key) =>
        Effect.suspend(() => {
          const entry = entries.get(key)
          return entry === undefined ? Effect.void : remove(key, entry)
        })
    }
  })
