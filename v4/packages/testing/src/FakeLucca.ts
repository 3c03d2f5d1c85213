/**
 * The emulator's state and the controls a test drives: declared client applications,
 * issued tokens, the rate limit, latency, injected faults, deprecation headers and
 * request counters. Serve it with `FakeLuccaClient` (in memory) or `FakeLuccaServer`
 * (a loopback socket).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as FakeLuccaData from "./FakeLuccaData.js"
import type { FakeLuccaError } from "./FakeLuccaError.js"
import * as internalApiVersion from "./internal/apiVersion.js"
import * as internalScopes from "./internal/scopes.js"
import * as internal from "./internal/state.js"

/**
 * The global token endpoint, shared by every Lucca account.
 *
 * @see https://developers.lucca.fr (Lucca API, "Get Started With Authentication")
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category constants
 */
export const tokenUrl = "https://accounts.world.luccasoftware.com/connect/token"

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultAccount = "example"

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultAccountUrl = "https://example.ilucca.net"

/**
 * The client id of the default application of the first account.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClientId = "fake-lucca-client"

/**
 * The client secret of the default application of the first account. Not a secret: it
 * only opens the emulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClientSecret = "fake-lucca-secret"

/**
 * The collections the emulator serves under `/lucca-api/` (path segments), those of
 * Lucca's API version `2024-11-01`.
 *
 * @since 0.1.0
 * @category constants
 */
export const resources: ReadonlyArray<string> = internalScopes.resources

/**
 * The 53 scopes of Lucca's API version `2024-11-01` (its OAuth security scheme): what
 * the default application is granted.
 *
 * @see https://developers.lucca.fr (Lucca API reference, OAuth scopes)
 * @since 0.1.0
 * @category constants
 */
export const allScopes: ReadonlyArray<string> = internalScopes.allScopes

/**
 * The `Api-Version` a request without the header gets.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiVersion: string = internalApiVersion.defaultVersion

/**
 * The API versions the emulator knows, oldest first; an earlier date is refused.
 *
 * @since 0.1.0
 * @category constants
 */
export const apiVersions: ReadonlyArray<string> = internalApiVersion.known

/**
 * Lucca's documented limit: 50 requests a minute per account.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 * @since 0.1.0
 * @category constants
 */
export const luccaRateLimit: RateLimit = { requests: 50, window: Duration.minutes(1) }

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly requests: number
  readonly window: Duration.Input
}

/**
 * A Lucca account (tenant): its name and the origin its API is served from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Account {
  readonly name: string
  /** For example `https://example.ilucca.net`, without a trailing slash. */
  readonly url: string
}

/**
 * A client application as an administrator declares it at
 * `https://{account}/identity/admin/integration-keys`.
 *
 * @see https://developers.lucca.fr (Lucca API, "Declaring Your Client Application")
 * @since 0.1.0
 * @category models
 */
export interface Application {
  readonly account: string
  readonly name: string
  readonly contactEmail: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: ReadonlyArray<string>
  readonly businessEstablishmentIds: ReadonlyArray<string>
  readonly disabled: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplicationOptions {
  readonly name: string
  /** Default `integrations@{account}.test`. */
  readonly contactEmail?: string | undefined
  /** Default: every scope of `allScopes`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Default: every business establishment of the account. */
  readonly businessEstablishmentIds?: ReadonlyArray<string> | undefined
  /** Default: the first account. */
  readonly account?: string | undefined
  /** Default: a random UUID. */
  readonly clientId?: string | undefined
  /** Default: a random secret. */
  readonly clientSecret?: string | Redacted.Redacted<string> | undefined
}

/**
 * A fault served instead of (or before) the normal answer:
 * - `ServiceUnavailable`: a `503` problem+json;
 * - `RequestTimeout`: a `408` problem+json, as Lucca answers a request it gave up on;
 * - `BadGateway`: an HTML `502` page, as a proxy in front of Lucca would send;
 * - `Delay`: the normal answer, after `duration` (measured with `Clock`);
 * - `Disconnect`: the connection is dropped without an answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Data.TaggedEnum<{
  ServiceUnavailable: {}
  RequestTimeout: {}
  BadGateway: {}
  Delay: { readonly duration: Duration.Input }
  Disconnect: {}
}>

/**
 * Constructors of `Fault`: `Fault.ServiceUnavailable()`, `Fault.Delay({ duration: "3 seconds" })`...
 *
 * @since 0.1.0
 * @category constructors
 */
export const Fault = Data.taggedEnum<Fault>()

/**
 * Which requests a fault applies to: `POST /connect/token` or the account API.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultTarget = "token" | "api"

/**
 * `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) headers to add to the responses of
 * one resource.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9745
 * @see https://www.rfc-editor.org/rfc/rfc8594
 * @since 0.1.0
 * @category models
 */
export interface Deprecation {
  /** When the resource was deprecated; default: now. */
  readonly deprecatedAt?: Date | undefined
  readonly sunset?: Date | undefined
  /** Sent as `Link: <link>; rel="deprecation"`. */
  readonly link?: string | undefined
}

/**
 * Outcomes of `POST /connect/token`, one counter each.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenStats {
  readonly total: number
  readonly issued: number
  readonly invalidRequest: number
  readonly invalidClient: number
  readonly invalidScope: number
  readonly unsupportedGrantType: number
  /** Answered by an injected fault (503, 408, 502) or dropped. */
  readonly faults: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApiStats {
  readonly total: number
  /** Keyed by HTTP status, for example `{ "200": 12, "401": 1 }`. */
  readonly byStatus: Readonly<Record<string, number>>
  /** Connections dropped by a `Disconnect` fault. */
  readonly dropped: number
}

/**
 * Counters since the emulator started or since `resetStats`. CORS preflights are not
 * counted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly token: TokenStats
  readonly api: ApiStats
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Seed of the data set; default `42`. */
  readonly seed?: number | string | undefined
  /**
   * Account names (`"example"` → `https://example.ilucca.net`) or account origins
   * (`"https://acme.ilucca-test.ch"`, whose first label names the account).
   * Default `["example"]`.
   */
  readonly accounts?: ReadonlyArray<string> | undefined
  /** The day employment statuses are computed for; default: now, read from `Clock`. */
  readonly referenceDate?: Date | undefined
  /** Default 30 minutes, as Lucca. */
  readonly tokenLifetime?: Duration.Input | undefined
  /**
   * Default `false` (off); `luccaRateLimit` is what Lucca enforces. Counted per account
   * (tenant), across every client application on it, as Lucca counts.
   */
  readonly rateLimit?: RateLimit | false | undefined
  /** Added to every request (not to preflights), with `Effect.sleep`; default none. */
  readonly latency?: Duration.Input | undefined
  /**
   * The application declared in each account at start. The first account's is
   * `defaultClientId` / `defaultClientSecret`; account `acme` (not first) gets
   * `fake-lucca-client-acme` / `fake-lucca-secret-acme`. `false` declares none.
   */
  readonly defaultApplication?:
    | false
    | {
      readonly clientId?: string | undefined
      readonly clientSecret?: string | undefined
    }
    | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The token endpoint served in memory (`tokenUrl`). */
  readonly tokenUrl: string
  readonly accounts: ReadonlyArray<Account>
  /**
   * A snapshot of an account's data set (default: the first account), created webhook
   * endpoints included. An account the emulator does not serve is a bug in the test: it dies.
   */
  readonly data: (account?: string) => Effect.Effect<FakeLuccaData.DataSet>

  readonly applications: Effect.Effect<ReadonlyArray<Application>>
  readonly application: (clientId: string) => Effect.Effect<Application, FakeLuccaError>
  /** Declares a client application, as an administrator would. */
  readonly registerApplication: (options: ApplicationOptions) => Effect.Effect<Application, FakeLuccaError>
  /** A new secret; the old one stops working at once. Issued tokens stay valid. */
  readonly regenerateSecret: (clientId: string) => Effect.Effect<Redacted.Redacted<string>, FakeLuccaError>
  /** A disabled application gets `invalid_client`, and its tokens get 401. */
  readonly disable: (clientId: string) => Effect.Effect<void, FakeLuccaError>
  readonly enable: (clientId: string) => Effect.Effect<void, FakeLuccaError>

  /**
   * The tokens issued so far (the latest 10,000, expired and revoked ones included), for
   * checks that no token ends up in logs, spans or errors (see `SecretHygiene`).
   */
  readonly issuedTokens: Effect.Effect<ReadonlyArray<Redacted.Redacted<string>>>
  /** Revokes one access token; `false` if it was unknown or already revoked. */
  readonly revokeToken: (accessToken: string | Redacted.Redacted<string>) => Effect.Effect<boolean>
  /** Revokes the live tokens of one application, or of every application; returns how many. */
  readonly revokeTokens: (options?: { readonly clientId?: string | undefined }) => Effect.Effect<number>
  /** Lifetime of the tokens issued from now on; `expires_in` reflects it. */
  readonly setTokenLifetime: (lifetime: Duration.Input) => Effect.Effect<void>

  /** Switches the per-account rate limit; counting restarts. */
  readonly setRateLimit: (rateLimit: RateLimit | false) => Effect.Effect<void>
  /** Latency added to every request from now on. */
  readonly setLatency: (latency: Duration.Input) => Effect.Effect<void>

  /** Serves `fault` to the next `times` (default 1) requests of `target`. */
  readonly injectFault: (target: FaultTarget, fault: Fault, times?: number) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>

  /** Adds `Deprecation` / `Sunset` headers to every response of `resource` (e.g. `"employees"`). */
  readonly deprecate: (resource: string, deprecation?: Deprecation) => Effect.Effect<void>
  readonly undeprecate: (resource: string) => Effect.Effect<void>

  readonly stats: Effect.Effect<Stats>
  readonly resetStats: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class FakeLucca extends Context.Service<FakeLucca, Service>()("@effect-lucca/testing/FakeLucca") {}

/**
 * Builds the emulator: generates each account's data set and declares the default
 * applications.
 *
 * @example
 * ```ts
 * import { FakeLucca } from "@effect-lucca/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeLucca.make({ seed: 1, accounts: ["acme"] })
 *   const data = yield* fake.data()
 *   console.log(fake.accounts.map((account) => account.name), data.resources.employees.length)
 * })
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service> = internal.make

/**
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
 * import { Effect, Layer, Redacted, Schema } from "effect"
 *
 * // one emulator, shared by the client and the test that drives it
 * const Fake = FakeLucca.layer({ seed: 7 })
 *
 * const Client = LuccaClient.layer({
 *   clientId: FakeLucca.defaultClientId,
 *   clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
 *   scopes: ["employees.readonly"],
 *   accountUrl: FakeLucca.defaultAccountUrl
 * }).pipe(Layer.provide(FakeLuccaClient.layer))
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeLucca.FakeLucca
 *   yield* LuccaClient.get("/lucca-api/employees", Schema.Unknown)
 *   // the client's token is revoked: its next request gets a 401 and recovers with a new token
 *   yield* fake.revokeTokens()
 *   yield* LuccaClient.get("/lucca-api/employees", Schema.Unknown)
 *   const stats = yield* fake.stats
 *   console.log(stats.token)
 * }).pipe(Effect.provide(Layer.provideMerge(Client, Fake)))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<FakeLucca> => Layer.effect(FakeLucca, make(options))
