import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as HttpClient from "effect/http/HttpClient"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as AccessToken from "../AccessToken.js"
import * as ClientCredentials from "../ClientCredentials.js"
import * as LuccaError from "../LuccaError.js"
import * as LuccaMetrics from "../LuccaMetrics.js"
import * as LuccaRetry from "../LuccaRetry.js"
import type * as TokenProvider from "../TokenProvider.js"
import * as TokenStore from "../TokenStore.js"
import type * as InternalOptions from "./options.js"
import { encodings, redactAll } from "./redact.js"
import * as TokenRetry from "./tokenRetry.js"

/** @internal */
export interface Margins {
  readonly refreshWindow: number
  readonly hardMargin: number
}

/** @internal */
export interface Settings {
  /** Other secrets whose every encoding `redact` removes (the client secret). */
  readonly secrets?: ReadonlyArray<string> | undefined
  readonly margins: Margins
  /** `undefined` turns retries off. */
  readonly retry: {
    readonly backoff: Schedule.Schedule<unknown, LuccaError.TokenError>
    /** How long a caller with no valid token may wait for retries, in milliseconds. */
    readonly budget: number
  } | undefined
  /** A store shared with other providers (other processes); `undefined` caches alone. */
  readonly store?: TokenStore.ClientStore | undefined
}

/**
 * The margins applied to one token. For a short-lived token they shrink with its lifetime
 * (refresh ahead no earlier than half-way, wait no earlier than the last tenth), so that a
 * token is never refreshed continuously.
 */
const marginsFor = (token: AccessToken.AccessToken, margins: Margins): Margins => {
  const lifetime = token.expiresAt - token.issuedAt
  if (!Number.isFinite(lifetime)) return margins
  const hardMargin = hardMarginFor(lifetime, margins)
  return { refreshWindow: refreshWindowFor(lifetime, margins, hardMargin), hardMargin }
}

const hardMarginFor = (lifetime: number, margins: Margins) => Math.min(margins.hardMargin, lifetime / 10)

const refreshWindowFor = (lifetime: number, margins: Margins, hardMargin: number) =>
  Math.max(hardMargin, Math.min(margins.refreshWindow, lifetime / 2))

type Phase = "fresh" | "refresh" | "expired"

const phase = (token: AccessToken.AccessToken, now: number, margins: Margins): Phase => {
  // plain numbers, no margins object: this runs on every request
  const lifetime = token.expiresAt - token.issuedAt
  const finite = Number.isFinite(lifetime)
  const hardMargin = finite ? hardMarginFor(lifetime, margins) : margins.hardMargin
  if (now >= token.expiresAt - hardMargin) return "expired"
  const refreshWindow = finite ? refreshWindowFor(lifetime, margins, hardMargin) : margins.refreshWindow
  if (now >= token.expiresAt - refreshWindow) return "refresh"
  return "fresh"
}

interface State {
  readonly token: AccessToken.AccessToken | undefined
  /** The one token request under way, shared by every caller (single-flight). */
  readonly inflight: Inflight | undefined
}

interface Inflight {
  readonly deferred: Deferred.Deferred<AccessToken.AccessToken, LuccaError.TokenError>
  readonly mode: "foreground" | "background"
}

type Decision =
  | { readonly _tag: "Serve"; readonly token: AccessToken.AccessToken }
  | {
    readonly _tag: "ServeAndRefresh"
    readonly token: AccessToken.AccessToken
    readonly deferred: Deferred.Deferred<AccessToken.AccessToken, LuccaError.TokenError>
    /** Background retries stop at the current token's hard margin. */
    readonly deadline: number
  }
  | { readonly _tag: "Await"; readonly inflight: Inflight }
  | {
    readonly _tag: "FetchAndAwait"
    readonly deferred: Deferred.Deferred<AccessToken.AccessToken, LuccaError.TokenError>
  }

/** How a provider that waits for another holder's token polls the store. */
const waitSchedule = Schedule.min([
  Schedule.exponential(Duration.millis(20), 1.5),
  Schedule.spaced(Duration.millis(250))
])

const stillHeld = "lease still held" as const

/** Lease rounds before a provider gives up on the store and requests alone. */
const maxRounds = 3

/** How many of the last tokens `redact` still recognises. */
const historySize = 16

/**
 * A cache around any token source. The state is one variable (with a `Deferred` per
 * request under way) rather than `Effect.cachedInvalidateWithTTL` or `Cache`: refresh
 * ahead needs two deadlines per token and must keep serving the old token while one
 * background request runs, and `Cache` would run the lookup in the fiber of the first
 * caller, so that interrupting that caller would interrupt the request every other caller
 * waits for. Here requests are forked in the provider's scope.
 *
 * @internal
 */
export const make = (
  source: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>,
  settings: Settings
): Effect.Effect<
  {
    readonly get: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>
    readonly invalidate: (token: AccessToken.AccessToken) => Effect.Effect<void>
    readonly redact: (text: string) => string
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    // Requests run in the provider's scope, not in the caller's fiber: a caller that is
    // interrupted must not cancel the request the other callers are waiting for.
    const scope = yield* Effect.scope
    // Read and written only in synchronous steps (`Effect.sync`, `clockWith`), each of
    // which runs to its end before any other fiber: as atomic as `Ref`, without an Effect
    // per read on the path every request takes.
    let state: State = { token: undefined, inflight: undefined }
    const update = (f: (s: State) => State) =>
      Effect.sync(() => {
        state = f(state)
      })
    const { margins, retry } = settings
    const secrets = (settings.secrets ?? []).flatMap(encodings)
    // every token this provider held lately, so that an echo of one is recognised
    const history: Array<string> = []
    const remember = (token: AccessToken.AccessToken) => {
      const value = Redacted.value(token.value)
      if (history.includes(value)) return
      history.push(value)
      if (history.length > historySize) history.shift()
    }
    const redact = (text: string): string => redactAll(redactAll(text, secrets), history.flatMap(encodings))
    // The tokens refused with a 401 lately (compared by value, kept `Redacted`): a shared
    // store may hand one back after the 401 (its compare-and-delete failed, Redis turned
    // read-only, an `invalidate` that does nothing), and it must never be used again.
    // Bounded: the expired ones go, and only the last few are kept.
    let refused: ReadonlyArray<AccessToken.AccessToken> = []
    const isRefused = (token: AccessToken.AccessToken) => refused.some((r) => AccessToken.isSame(r, token))
    const refuse = (token: AccessToken.AccessToken, now: number) => {
      if (isRefused(token)) return
      refused = [...refused.filter((r) => r.expiresAt > now), token].slice(-historySize)
    }

    const withRetries = (deadline: number, onFirstFailure: Effect.Effect<void>) => {
      if (retry === undefined) return source
      let failures = 0
      return source.pipe(
        Effect.tapError(() => failures++ === 0 ? onFirstFailure : Effect.void),
        Effect.retry(TokenRetry.policy(redact, {
          backoff: retry.backoff,
          retryable: LuccaError.isTransient,
          retryAfterMillis: (error) => error._tag === "InvalidTokenResponse" ? undefined : error.retryAfterMillis,
          deadline
        }))
      )
    }

    const store = settings.store
    /**
     * The request of this provider, through the shared store when there is one: a stored
     * token newer than `current` (the one this provider holds) is used as is; else the
     * holder of the store's lease requests and stores the next token while the others
     * wait for it. Bounded: after a few rounds without a token, the provider requests alone.
     */
    const shared = (
      current: AccessToken.AccessToken | undefined,
      request: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>,
      deadline: number
    ): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> => {
      if (store === undefined) return request
      const usable = (stored: Option.Option<AccessToken.AccessToken>, now: number) =>
        Option.isSome(stored) && phase(stored.value, now, margins) !== "expired" &&
        (current === undefined || stored.value.expiresAt > current.expiresAt) && !isRefused(stored.value)
      const lookup = Effect.zip(store.get, Clock.currentTimeMillis).pipe(
        Effect.map(([stored, now]) => usable(stored, now) ? stored : Option.none())
      )
      const round = (left: number): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> =>
        Effect.flatMap(lookup, (stored) => {
          if (Option.isSome(stored)) return Effect.succeed(stored.value)
          if (left === 0) return request
          return Effect.flatMap(store.acquire, (lease) => {
            switch (lease._tag) {
              case "Unavailable":
                return request
              case "Acquired":
                // the previous holder may have stored a token between the lookup and the lease
                return Effect.flatMap(lookup, (again) =>
                  Option.isSome(again)
                    ? Effect.succeed(again.value)
                    : Effect.tap(request, store.set)).pipe(Effect.ensuring(lease.release))
              case "Held":
                return Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  lookup.pipe(
                    // poll until the token is stored or the lease is gone (expired, or
                    // released by a holder whose request failed)
                    Effect.flatMap((found): Effect.Effect<Option.Option<AccessToken.AccessToken>, typeof stillHeld> =>
                      Option.isSome(found)
                        ? Effect.succeed(found)
                        : Effect.flatMap(store.held, (held) => held ? Effect.fail(stillHeld) : Effect.succeedNone)
                    ),
                    Effect.retry(waitSchedule.pipe(
                      // a background refresh waits no longer than its current token serves
                      Schedule.upTo({
                        duration: deadline > now
                          ? Duration.min(lease.expiresIn, Duration.millis(deadline - now))
                          : lease.expiresIn
                      })
                    )),
                    Effect.orElseSucceed(() => Option.none<AccessToken.AccessToken>()),
                    Effect.flatMap((found) => Option.isSome(found) ? Effect.succeed(found.value) : round(left - 1))
                  ))
            }
          })
        })
      return round(maxRounds)
    }

    const warn = Effect.logWarning(
      "Lucca token refresh ahead failed; retrying, and the current token stays in service until its hard margin"
    )

    const run = (
      deferred: Deferred.Deferred<AccessToken.AccessToken, LuccaError.TokenError>,
      mode: "foreground" | "background",
      deadline: number,
      current: AccessToken.AccessToken | undefined
    ) =>
      Metric.update(Metric.withAttributes(LuccaMetrics.tokenRefreshes, { mode }), 1).pipe(
        // a failed background refresh is logged once, with its cause (which holds no secret)
        Effect.andThen(
          shared(current, withRetries(deadline, mode === "background" ? warn : Effect.void), deadline)
        ),
        Effect.withSpan("TokenProvider.refresh", { attributes: { "lucca.refresh_mode": mode } }),
        Effect.exit,
        Effect.tap((exit) => Effect.sync(() => Exit.isSuccess(exit) && remember(exit.value))),
        Effect.flatMap((exit) =>
          update((s) => ({
            // failures are never cached: the next caller tries again
            token: Exit.isSuccess(exit) ? exit.value : s.token,
            // a foreground request may have taken over from this one (see `decide`)
            inflight: s.inflight?.deferred === deferred ? undefined : s.inflight
          })).pipe(
            Effect.andThen(
              mode === "background" && Exit.isFailure(exit)
                ? Effect.logWarning("Lucca token refresh ahead gave up; callers will request a new token").pipe(
                  Effect.annotateLogs("error", redact(Cause.pretty(exit.cause)))
                )
                : Effect.void
            ),
            Effect.andThen(Deferred.done(deferred, exit))
          )
        ),
        // `get` starts this fiber inside its uninterruptible region: the request itself must
        // stay interruptible, or its timeout could never fire and the scope never close
        Effect.interruptible,
        Effect.onInterrupt(() =>
          update((s) => s.inflight?.deferred === deferred ? { ...s, inflight: undefined } : s).pipe(
            Effect.andThen(Deferred.interrupt(deferred))
          )
        ),
        Effect.forkIn(scope)
      )

    const decide = (now: number) =>
      Effect.sync(() => {
        const [decision, next] = decideOn(state, now)
        state = next
        return decision
      })

    const decideOn = (s: State, now: number): [Decision, State] => {
      const current = s.token === undefined ? "expired" : phase(s.token, now, margins)
      if (current === "fresh") return [{ _tag: "Serve", token: s.token! }, s]
      if (current === "refresh") {
        if (s.inflight !== undefined) return [{ _tag: "Serve", token: s.token! }, s]
        const deferred = Deferred.makeUnsafe<AccessToken.AccessToken, LuccaError.TokenError>()
        const deadline = s.token!.expiresAt - marginsFor(s.token!, margins).hardMargin
        return [{ _tag: "ServeAndRefresh", token: s.token!, deferred, deadline }, {
          ...s,
          inflight: { deferred, mode: "background" }
        }]
      }
      // A caller with no valid token never waits on a background refresh, which may retry
      // until the old token's hard margin: it starts a foreground request with the full
      // retry budget, which takes over as the request under way.
      if (s.inflight !== undefined && s.inflight.mode === "foreground") {
        return [{ _tag: "Await", inflight: s.inflight }, s]
      }
      const deferred = Deferred.makeUnsafe<AccessToken.AccessToken, LuccaError.TokenError>()
      return [{ _tag: "FetchAndAwait", deferred }, { ...s, inflight: { deferred, mode: "foreground" } }]
    }

    // Deciding and starting a request happen without interruption, so that no caller can
    // leave a registered request unstarted; only the waiting itself is interruptible.
    const decideAndRun: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> = Effect.uninterruptibleMask((
      restore
    ) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(decide(now), (decision): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> => {
          switch (decision._tag) {
            case "Serve":
              return Effect.succeed(decision.token)
            case "ServeAndRefresh":
              return Effect.as(
                run(decision.deferred, "background", decision.deadline, decision.token),
                decision.token
              )
            case "Await":
              return restore(Deferred.await(decision.inflight.deferred))
            case "FetchAndAwait":
              return Effect.andThen(
                run(decision.deferred, "foreground", now + (retry?.budget ?? 0), undefined),
                restore(Deferred.await(decision.deferred))
              )
          }
        }))
    )

    const invalidate = (token: AccessToken.AccessToken) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          refuse(token, clock.currentTimeMillisUnsafe())
          if (state.token !== undefined && AccessToken.isSame(state.token, token)) {
            state = { ...state, token: undefined }
          }
        })
      ).pipe(Effect.andThen(store === undefined ? Effect.void : store.invalidate(token)))

    // The common case, a fresh cached token, needs neither the mask nor a state change.
    const get: Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> = Effect.clockWith((clock) => {
      const token = state.token
      return token !== undefined && phase(token, clock.currentTimeMillisUnsafe(), margins) === "fresh"
        ? Effect.succeed(token)
        : decideAndRun
    })

    return { get, invalidate, redact } as const
  })

/**
 * The cache settings of decoded options.
 *
 * @internal
 */
export const settingsOf = (options: {
  readonly refreshWindow: Duration.Duration
  readonly hardMargin: Duration.Duration
  readonly tokenRetry: InternalOptions.TokenRetrySettings
}): Settings => ({
  margins: {
    refreshWindow: Duration.toMillis(options.refreshWindow),
    hardMargin: Duration.toMillis(options.hardMargin)
  },
  retry: options.tokenRetry === false ? undefined : {
    backoff: options.tokenRetry.backoff ?? LuccaRetry.defaultBackoff,
    budget: Duration.toMillis(options.tokenRetry.budget)
  }
})

/**
 * The cached client credentials provider of decoded options (`LuccaClient.make` decodes
 * its options once). Its token requests go through the `HttpClient` in context.
 *
 * @internal
 */
export const makeClientCredentials = (
  options: InternalOptions.ProviderSettings
): Effect.Effect<TokenProvider.Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const requestToken = yield* ClientCredentials.makeRequestToken(options)
    const tokenStore = yield* TokenStore.TokenStore
    const store = tokenStore === TokenStore.none ? undefined : yield* tokenStore.forClient({
      tokenUrl: String(options.tokenUrl ?? ClientCredentials.defaultTokenUrl),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scopes: options.scopes
    })
    const { margins, retry } = settingsOf(options)
    // a literal, not a spread: the object stays on a shape shared by every provider
    return yield* make(requestToken, { margins, retry, secrets: [Redacted.value(options.clientSecret)], store })
  })
