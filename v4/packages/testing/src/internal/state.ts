import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64Url from "effect/encoding/Base64Url"
import * as Hex from "effect/encoding/Hex"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import type * as FakeLucca from "../FakeLucca.js"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import { FakeLuccaError } from "../FakeLuccaError.js"
import * as Data from "./data.js"
import type * as RateLimit from "./rateLimit.js"
import * as Scopes from "./scopes.js"
import * as Webhooks from "./webhooks.js"

/** @internal */
export interface AccountState {
  readonly name: string
  readonly url: string
  readonly data: Ref.Ref<FakeLuccaData.DataSet>
  /** Keys the page cursors of this account. */
  readonly cursorKey: string
  readonly rateWindow: Ref.Ref<RateLimit.Window | undefined>
}

/** @internal */
export interface TokenRecord {
  readonly clientId: string
  readonly account: string
  readonly scopes: ReadonlySet<string>
  readonly expiresAt: number
  readonly revoked: boolean
}

/** @internal */
export interface DeprecationRecord {
  readonly deprecatedAt: Date
  readonly sunset: Date | undefined
  readonly link: string | undefined
}

/** @internal */
export interface Settings {
  readonly tokenLifetime: Duration.Duration
  readonly rateLimit: Option.Option<{ readonly requests: number; readonly windowMillis: number }>
  readonly latency: Duration.Duration
  readonly deprecations: ReadonlyMap<string, DeprecationRecord>
}

/** @internal */
export interface PendingFault {
  readonly target: FakeLucca.FaultTarget
  readonly fault: FakeLucca.Fault
  readonly remaining: number
}

/** @internal */
export type TokenOutcome = Exclude<keyof FakeLucca.TokenStats, "total">

/** @internal */
export interface State {
  readonly accounts: ReadonlyArray<AccountState>
  readonly applications: Ref.Ref<ReadonlyMap<string, FakeLucca.Application>>
  readonly tokens: Ref.Ref<ReadonlyMap<string, TokenRecord>>
  /** Every token issued, newest last, capped at `issuedTokensKept`, for hygiene checks. */
  readonly issued: Ref.Ref<ReadonlyArray<string>>
  readonly settings: Ref.Ref<Settings>
  readonly faults: Ref.Ref<ReadonlyArray<PendingFault>>
  readonly stats: Ref.Ref<FakeLucca.Stats>
  /** Webhook endpoints' secrets and the dispatcher that delivers. */
  readonly webhooks: Webhooks.WebhookState
}

const states = new WeakMap<FakeLucca.Service, State>()

/**
 * The app reaches the state behind the public service through this registry, which
 * keeps the internals out of the public `Service` type.
 *
 * @internal
 */
export const getState = (service: FakeLucca.Service): State => {
  const state = states.get(service)
  if (state === undefined) {
    throw new Error("FakeLucca: this service was not built by FakeLucca.make")
  }
  return state
}

const emptyStats: FakeLucca.Stats = {
  token: {
    total: 0,
    issued: 0,
    invalidRequest: 0,
    invalidClient: 0,
    invalidScope: 0,
    unsupportedGrantType: 0,
    faults: 0
  },
  api: { total: 0, byStatus: {}, dropped: 0 }
}

/**
 * Opaque credentials come from the platform's CSPRNG rather than `Random`, so they stay
 * unguessable and distinct whatever `Random` a test provides.
 *
 * @internal
 */
export const randomToken = (bytes = 32): string =>
  Base64Url.encode(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))

/** @internal */
export const randomHex = (bytes: number): string => Hex.encode(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))

const parseAccount = (input: string): { readonly name: string; readonly url: string } => {
  if (/^https?:\/\//.test(input)) {
    const url = new URL(input)
    return { name: url.hostname.split(".")[0], url: url.origin }
  }
  return { name: input, url: `https://${input}.ilucca.net` }
}

const toRateLimit = (rateLimit: FakeLucca.RateLimit | false | undefined): Settings["rateLimit"] =>
  rateLimit === false || rateLimit === undefined
    ? Option.none()
    : Option.some({ requests: rateLimit.requests, windowMillis: Duration.toMillis(rateLimit.window) })

const unknownApplication = (clientId: string) =>
  new FakeLuccaError({ reason: "UnknownApplication", description: `No application has client id '${clientId}'` })

/** @internal */
export const findAccount = (state: State, name: string | undefined): Result.Result<AccountState, FakeLuccaError> => {
  const account = name === undefined ? state.accounts[0] : state.accounts.find((a) => a.name === name)
  return account === undefined
    ? Result.fail(new FakeLuccaError({ reason: "UnknownAccount", description: `No account is named '${name}'` }))
    : Result.succeed(account)
}

/** @internal */
export const recordToken = (state: State, outcome: TokenOutcome): Effect.Effect<void> =>
  Ref.update(state.stats, (stats) => ({
    ...stats,
    token: { ...stats.token, total: stats.token.total + 1, [outcome]: stats.token[outcome] + 1 }
  }))

/** @internal */
export const recordApi = (state: State, status: number | "dropped"): Effect.Effect<void> =>
  Ref.update(state.stats, (stats) => ({
    ...stats,
    api: status === "dropped" ?
      { ...stats.api, total: stats.api.total + 1, dropped: stats.api.dropped + 1 } :
      {
        ...stats.api,
        total: stats.api.total + 1,
        byStatus: { ...stats.api.byStatus, [status]: (stats.api.byStatus[status] ?? 0) + 1 }
      }
  }))

/** Takes the next pending fault of `target`, if any. @internal */
export const takeFault = (state: State, target: FakeLucca.FaultTarget): Effect.Effect<Option.Option<FakeLucca.Fault>> =>
  Ref.modify(state.faults, (faults) => {
    const index = faults.findIndex((f) => f.target === target)
    if (index === -1) return [Option.none(), faults]
    const pending = faults[index]
    const rest = pending.remaining > 1
      ? faults.map((f, i) => i === index ? { ...f, remaining: f.remaining - 1 } : f)
      : faults.filter((_, i) => i !== index)
    return [Option.some(pending.fault), rest]
  })

/** @internal */
export const issueToken = (
  state: State,
  application: FakeLucca.Application,
  scopes: ReadonlyArray<string>
): Effect.Effect<{ readonly accessToken: string; readonly expiresIn: number }> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { tokenLifetime } = yield* Ref.get(state.settings)
    const lifetime = Duration.toMillis(tokenLifetime)
    const accessToken = randomToken()
    yield* Ref.update(state.tokens, (tokens) => {
      // forget tokens that can no longer be used, so a long-running server stays small
      const next = new Map([...tokens].filter(([, t]) => t.expiresAt > now && !t.revoked))
      next.set(accessToken, {
        clientId: application.clientId,
        account: application.account,
        scopes: new Set(scopes),
        expiresAt: now + lifetime,
        revoked: false
      })
      return next
    })
    yield* Ref.update(state.issued, (issued) => [...issued.slice(-(issuedTokensKept - 1)), accessToken])
    return { accessToken, expiresIn: Math.floor(lifetime / 1000) }
  })

/** @internal */
export const issuedTokensKept = 10_000

/** @internal */
export interface Caller {
  readonly application: FakeLucca.Application
  readonly scopes: ReadonlySet<string>
}

/**
 * Resolves a bearer token used on `account`; the error is the `detail` of the 401.
 *
 * @internal
 */
export const authenticate = (
  state: State,
  accessToken: string | undefined,
  account: string
): Effect.Effect<Result.Result<Caller, string>> =>
  Effect.gen(function*() {
    if (accessToken === undefined) return Result.fail("An access token is required.")
    const token = (yield* Ref.get(state.tokens)).get(accessToken)
    const application = token && (yield* Ref.get(state.applications)).get(token.clientId)
    if (token === undefined || application === undefined || token.account !== account) {
      return Result.fail("The access token is invalid.")
    }
    if (token.revoked) return Result.fail("The access token was revoked, please refresh your token.")
    if ((yield* Clock.currentTimeMillis) >= token.expiresAt) {
      return Result.fail("The access token has expired, please refresh your token.")
    }
    if (application.disabled) return Result.fail("The client application is disabled.")
    return Result.succeed({ application, scopes: token.scopes })
  })

/** @internal */
export const make = (options?: FakeLucca.Options): Effect.Effect<FakeLucca.Service> =>
  Effect.gen(function*() {
    const seed = String(options?.seed ?? Data.defaultSeed)
    const referenceDate = options?.referenceDate ?? new Date(yield* Clock.currentTimeMillis)
    const accountInputs = options?.accounts !== undefined && options.accounts.length > 0
      ? options.accounts
      : ["example"]

    const accounts: Array<AccountState> = []
    for (const input of accountInputs) {
      const { name, url } = parseAccount(input)
      accounts.push({
        name,
        url,
        data: yield* Ref.make(yield* Data.make({ seed, account: name, referenceDate })),
        cursorKey: `${seed}/${name}`,
        rateWindow: yield* Ref.make<RateLimit.Window | undefined>(undefined)
      })
    }

    const applications = new Map<string, FakeLucca.Application>()
    if (options?.defaultApplication !== false) {
      for (let i = 0; i < accounts.length; i++) {
        const account = accounts[i]
        const data = yield* Ref.get(account.data)
        const suffix = i === 0 ? "" : `-${account.name}`
        const clientId = i === 0 && options?.defaultApplication?.clientId !== undefined
          ? options.defaultApplication.clientId
          : `fake-lucca-client${suffix}`
        const clientSecret = i === 0 && options?.defaultApplication?.clientSecret !== undefined
          ? options.defaultApplication.clientSecret
          : `fake-lucca-secret${suffix}`
        applications.set(clientId, {
          account: account.name,
          name: "Fake Lucca default application",
          contactEmail: `integrations@${account.name}.test`,
          clientId,
          clientSecret: Redacted.make(clientSecret),
          scopes: Scopes.allScopes,
          businessEstablishmentIds: data.resources["business-establishments"].map((e) => e.id),
          disabled: false
        })
      }
    }

    const state: State = {
      accounts,
      applications: yield* Ref.make<ReadonlyMap<string, FakeLucca.Application>>(applications),
      tokens: yield* Ref.make<ReadonlyMap<string, TokenRecord>>(new Map()),
      issued: yield* Ref.make<ReadonlyArray<string>>([]),
      settings: yield* Ref.make<Settings>({
        tokenLifetime: Duration.fromInputUnsafe(options?.tokenLifetime ?? Duration.minutes(30)),
        rateLimit: toRateLimit(options?.rateLimit),
        latency: Duration.fromInputUnsafe(options?.latency ?? Duration.zero),
        deprecations: new Map()
      }),
      faults: yield* Ref.make<ReadonlyArray<PendingFault>>([]),
      stats: yield* Ref.make(emptyStats),
      webhooks: yield* Webhooks.makeState
    }

    const updateApplication = (
      clientId: string,
      f: (application: FakeLucca.Application) => FakeLucca.Application
    ): Effect.Effect<FakeLucca.Application, FakeLuccaError> =>
      Effect.flatten(Ref.modify(state.applications, (apps): [
        Effect.Effect<FakeLucca.Application, FakeLuccaError>,
        ReadonlyMap<string, FakeLucca.Application>
      ] => {
        const application = apps.get(clientId)
        if (application === undefined) return [Effect.fail(unknownApplication(clientId)), apps]
        const updated = f(application)
        return [Effect.succeed(updated), new Map(apps).set(clientId, updated)]
      }))

    const service: FakeLucca.Service = {
      tokenUrl: "https://accounts.world.luccasoftware.com/connect/token",
      accounts: accounts.map(({ name, url }) => ({ name, url })),
      data: (account) =>
        Result.match(findAccount(state, account), {
          onFailure: Effect.die,
          onSuccess: (a) => Ref.get(a.data)
        }),
      applications: Effect.map(Ref.get(state.applications), (apps) => [...apps.values()]),
      application: (clientId) =>
        Effect.flatMap(Ref.get(state.applications), (apps) => {
          const application = apps.get(clientId)
          return application === undefined ? Effect.fail(unknownApplication(clientId)) : Effect.succeed(application)
        }),
      registerApplication: (registration) =>
        Effect.gen(function*() {
          const account = yield* Effect.fromResult(findAccount(state, registration.account))
          const data = yield* Ref.get(account.data)
          const known = new Set(data.resources["business-establishments"].map((e) => e.id))
          const establishmentIds = registration.businessEstablishmentIds ?? [...known]
          const unknown = establishmentIds.filter((id) => !known.has(id))
          if (unknown.length > 0) {
            return yield* new FakeLuccaError({
              reason: "UnknownEstablishment",
              description: `Account '${account.name}' has no business establishment ${unknown.join(", ")}`
            })
          }
          const secret = registration.clientSecret ?? randomToken(24)
          const application: FakeLucca.Application = {
            account: account.name,
            name: registration.name,
            contactEmail: registration.contactEmail ?? `integrations@${account.name}.test`,
            clientId: registration.clientId ?? globalThis.crypto.randomUUID(),
            clientSecret: Redacted.isRedacted(secret) ? secret : Redacted.make(secret),
            scopes: registration.scopes ?? Scopes.allScopes,
            businessEstablishmentIds: establishmentIds,
            disabled: false
          }
          return yield* Effect.flatten(Ref.modify(state.applications, (apps): [
            Effect.Effect<FakeLucca.Application, FakeLuccaError>,
            ReadonlyMap<string, FakeLucca.Application>
          ] =>
            apps.has(application.clientId)
              ? [
                Effect.fail(
                  new FakeLuccaError({
                    reason: "DuplicateClientId",
                    description: `Client id '${application.clientId}' is already declared`
                  })
                ),
                apps
              ]
              : [Effect.succeed(application), new Map(apps).set(application.clientId, application)]))
        }),
      regenerateSecret: (clientId) =>
        Effect.map(
          updateApplication(clientId, (application) => ({
            ...application,
            clientSecret: Redacted.make(randomToken(24))
          })),
          (application) => application.clientSecret
        ),
      disable: (clientId) => Effect.asVoid(updateApplication(clientId, (a) => ({ ...a, disabled: true }))),
      enable: (clientId) => Effect.asVoid(updateApplication(clientId, (a) => ({ ...a, disabled: false }))),
      issuedTokens: Effect.map(Ref.get(state.issued), (issued) => issued.map((token) => Redacted.make(token))),
      revokeToken: (accessToken) =>
        Ref.modify(state.tokens, (tokens) => {
          const key = Redacted.isRedacted(accessToken) ? Redacted.value(accessToken) : accessToken
          const token = tokens.get(key)
          if (token === undefined || token.revoked) return [false, tokens]
          return [true, new Map(tokens).set(key, { ...token, revoked: true })]
        }),
      revokeTokens: (revoke) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(state.tokens, (tokens) => {
            let count = 0
            const next = new Map<string, TokenRecord>()
            for (const [key, token] of tokens) {
              const live = !token.revoked && token.expiresAt > now
              if (live && (revoke?.clientId === undefined || revoke.clientId === token.clientId)) {
                count++
                next.set(key, { ...token, revoked: true })
              } else {
                next.set(key, token)
              }
            }
            return [count, next]
          })),
      setTokenLifetime: (lifetime) =>
        Ref.update(state.settings, (s) => ({ ...s, tokenLifetime: Duration.fromInputUnsafe(lifetime) })),
      setRateLimit: (rateLimit) =>
        Effect.andThen(
          Ref.update(state.settings, (s) => ({ ...s, rateLimit: toRateLimit(rateLimit) })),
          Effect.forEach(accounts, (a) => Ref.set(a.rateWindow, undefined), { discard: true })
        ),
      setLatency: (latency) =>
        Ref.update(state.settings, (s) => ({ ...s, latency: Duration.fromInputUnsafe(latency) })),
      injectFault: (target, fault, times = 1) =>
        times < 1
          ? Effect.void
          : Ref.update(state.faults, (faults) => [...faults, { target, fault, remaining: times }]),
      clearFaults: Ref.set(state.faults, []),
      deprecate: (resource, deprecation) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(state.settings, (s) => ({
            ...s,
            deprecations: new Map(s.deprecations).set(resource, {
              deprecatedAt: deprecation?.deprecatedAt ?? new Date(now),
              sunset: deprecation?.sunset,
              link: deprecation?.link
            })
          }))),
      undeprecate: (resource) =>
        Ref.update(state.settings, (s) => {
          const deprecations = new Map(s.deprecations)
          deprecations.delete(resource)
          return { ...s, deprecations }
        }),
      stats: Ref.get(state.stats),
      resetStats: Ref.set(state.stats, emptyStats)
    }
    states.set(service, state)
    return service
  })
