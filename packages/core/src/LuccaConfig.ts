/**
 * The settings of a Lucca client, read from options or through `Config`, and their
 * validation. Bad settings fail early, with a `ConfigError` that names the setting.
 *
 * Environment variables (the default `ConfigProvider`):
 * - `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET` (read as `Redacted`; never trimmed: a secret
 *   with surrounding whitespace, such as a line break read from a file, is refused);
 * - `LUCCA_SCOPES`: space- or comma-separated, such as `employees.readonly departments.readonly`;
 * - `LUCCA_ACCOUNT_URL`: the account origin, such as `https://example.ilucca.net`;
 * - optional `LUCCA_TOKEN_URL` (Lucca's token host or a loopback host; another host only
 *   with `LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL=true`, since the secret is sent there) and
 *   `LUCCA_API_VERSION` (a calendar date such as `2024-11-01`).
 *
 * Several client applications in one program: nest the configs, for example
 * `Config.nested(LuccaConfig.client, "PAYROLL")` reads `PAYROLL_LUCCA_CLIENT_ID` and so on.
 *
 * Each setting is one `Schema` ({@link ClientId}, {@link ClientSecret}, {@link Scopes},
 * {@link AccountUrl}, {@link TokenUrl}, {@link ApiVersion}): the options of `LuccaClient`
 * and `TokenProvider` are decoded by them, and the `Config`s read through them, so a value
 * is accepted or refused, with the same message, whichever way it comes.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as ClientCredentials from "./ClientCredentials.js"
import * as Options from "./internal/options.js"

/**
 * The API version sent in `Api-Version` by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiVersion: string = Options.defaultApiVersion

/**
 * A client id: a string, trimmed, not empty, well-formed text (a lone UTF-16 surrogate would
 * be sent as U+FFFD, another id).
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.ClientId)("  my-client-id ") // "my-client-id"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientId: Schema.Schema<string> = Options.ClientId

/**
 * A client secret: a `Redacted` string, neither blank nor starting or ending with
 * whitespace (a line break read from a file is reported, not trimmed: a secret is opaque),
 * well-formed text (a lone UTF-16 surrogate would be sent as U+FFFD, another credential).
 * Configuration reads it from a string (`LUCCA_CLIENT_SECRET`), redacted at once.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Redacted, Schema } from "effect"
 *
 * Schema.decodeUnknownEither(LuccaConfig.ClientSecret)(Redacted.make("secret\n"))
 * // Left: must not start or end with whitespace (a line break read from a file?)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientSecret: Schema.Schema<Redacted.Redacted<string>> = Options.ClientSecret

/**
 * The scopes to request: an array of at least one scope, each a Lucca scope
 * (`LuccaScope.validate`, with a suggestion for a near miss), duplicates dropped. A string
 * is refused rather than split; configuration (`LUCCA_SCOPES`) splits on spaces and commas.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownEither(LuccaConfig.Scopes)(["employee.readonly"])
 * // Left: ... Did you mean "employees.readonly"?
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scopes: Schema.Schema<ReadonlyArray<string>> = Options.Scopes

/**
 * An account origin, such as `https://example.ilucca.net`, decoded to its `URL`: `https`
 * (plain `http` only on a loopback host, for local emulation), no credentials, no path,
 * query or fragment, and never Lucca's global token host. The options also take a `URL`.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.AccountUrl)("https://example.ilucca.net").origin
 * // "https://example.ilucca.net"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountUrl: Schema.Schema<URL, string> = Options.AccountUrl

/**
 * Where the client secret may be sent: `https` to Lucca's token host, or a loopback host
 * (`http` allowed there, for local emulation), without credentials. With
 * `dangerouslyAllowTokenUrl` (`LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL=true`), any other `https`
 * host is accepted too: that rule is `ClientCredentials.checkTokenUrl`'s, which uses this
 * schema. The options also take a `URL`.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.TokenUrl)("http://127.0.0.1:8080/connect/token") // a local emulator
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenUrl: Schema.Schema<URL, string> = Options.TokenUrl

/**
 * An `Api-Version`: a real calendar date such as `2024-11-01`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion: Schema.Schema<string> = Options.ApiVersion

/**
 * What the `Config` readers produce: a client application's credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: ReadonlyArray<string>
  readonly tokenUrl?: string | undefined
  readonly dangerouslyAllowTokenUrl?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type CredentialsConfig = Config.Config<Credentials>

/**
 * Credentials and the account they are used with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client extends Credentials {
  readonly accountUrl: string
  readonly apiVersion?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type ClientConfig = Config.Config<Client>

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

// the token URL and its opt-in are read together: the error names LUCCA_TOKEN_URL
const tokenUrl = Config.all({
  url: optional(Options.config("LUCCA_TOKEN_URL", Options.SecureUrl)),
  dangerouslyAllowTokenUrl: Config.withDefault(Config.boolean("LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL"), false)
}).pipe(
  Config.mapOrFail(({ dangerouslyAllowTokenUrl, url }) => {
    if (url === undefined) return Either.right({})
    return Either.match(Options.checkTokenUrl(url, { dangerouslyAllowTokenUrl }), {
      onLeft: (message) => Either.left(ConfigError.InvalidData(["LUCCA_TOKEN_URL"], message)),
      onRight: (parsed) =>
        Either.right({
          tokenUrl: parsed.href,
          ...(dangerouslyAllowTokenUrl ? { dangerouslyAllowTokenUrl } : {})
        })
    })
  })
)

/**
 * `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET`, `LUCCA_SCOPES` and optional `LUCCA_TOKEN_URL`
 * (Lucca's token host or a loopback host; another `https` host only with
 * `LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL=true`, since the secret is sent there), each read
 * through its schema.
 *
 * @since 0.1.0
 * @category config
 */
export const credentials: CredentialsConfig = Config.all({
  clientId: Options.config("LUCCA_CLIENT_ID", ClientId),
  clientSecret: Options.config("LUCCA_CLIENT_SECRET", Options.ClientSecretFromString),
  scopes: Options.config("LUCCA_SCOPES", Options.ScopesFromString),
  tokenUrl
}).pipe(Config.map(({ tokenUrl, ...rest }) => ({ ...rest, ...tokenUrl })))

/**
 * {@link credentials} plus `LUCCA_ACCOUNT_URL` and optional `LUCCA_API_VERSION`.
 *
 * @since 0.1.0
 * @category config
 */
export const client: ClientConfig = Config.all({
  credentials,
  accountUrl: Config.map(Options.config("LUCCA_ACCOUNT_URL", AccountUrl), (url) => url.origin),
  apiVersion: optional(Options.config("LUCCA_API_VERSION", ApiVersion))
}).pipe(Config.map(({ credentials, ...rest }) => ({ ...credentials, ...rest })))

/**
 * Validates client credentials given as options; the error names the option.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateCredentials = (
  options: ClientCredentials.Options
): Effect.Effect<ClientCredentials.Options, ConfigError.ConfigError> =>
  Effect.map(
    Options.decodeProvider(options),
    (decoded): ClientCredentials.Options => ({
      clientId: decoded.clientId,
      clientSecret: decoded.clientSecret,
      scopes: decoded.scopes,
      tokenUrl: decoded.tokenUrl,
      dangerouslyAllowTokenUrl: decoded.dangerouslyAllowTokenUrl,
      timeout: decoded.timeout,
      maxResponseBytes: decoded.maxResponseBytes
    })
  )
