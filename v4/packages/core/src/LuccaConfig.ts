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
 * `Config.nested(LuccaConfig.client, "PAYROLL")`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
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
 * A client id: a string, trimmed, not empty.
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
export const ClientId: Schema.Codec<string, unknown> = Options.ClientId

/**
 * A client secret: a `Redacted` string, not blank, without leading or trailing whitespace.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Redacted, Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.ClientSecret)(Redacted.make("s3cr3t"))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientSecret: Schema.Codec<Redacted.Redacted<string>, unknown> = Options.ClientSecret

/**
 * The scopes to request: an array of Lucca scopes (not one string), at least one, duplicates dropped.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.Scopes)(["employees.readonly"])
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scopes: Schema.Codec<ReadonlyArray<string>, unknown> = Options.Scopes

/**
 * An account URL: an origin without a path, `https` (plain `http` on loopback hosts only), not the global token host. `TokenProvider.authenticate`'s `origin` follows the same rule.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.AccountUrl)("https://example.ilucca.net") // URL
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountUrl: Schema.Codec<URL, unknown> = Options.AccountUrl

/**
 * A token URL: Lucca's token host (`https`) or a loopback host; another host only through the `dangerouslyAllowTokenUrl` option, since the secret is sent there.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.TokenUrl)("http://127.0.0.1:8080/connect/token") // URL
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenUrl: Schema.Codec<URL, unknown> = Options.TokenUrl

/**
 * An API version: a real calendar date such as `2024-11-01`.
 *
 * @example
 * ```ts
 * import { LuccaConfig } from "@effect-lucca/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(LuccaConfig.ApiVersion)("2024-11-01")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion: Schema.Codec<string, unknown> = Options.ApiVersion

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

// the token URL and its opt-in are read together: the error names LUCCA_TOKEN_URL, and
// the URL is checked by `TokenUrl`'s rule unless the opt-in is set
const tokenUrl = Config.all({
  url: optional(Options.config("LUCCA_TOKEN_URL", Schema.String)),
  dangerouslyAllowTokenUrl: Config.withDefault(Config.Boolean("LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL"), false)
}).pipe(
  Config.mapEffect(({ dangerouslyAllowTokenUrl, url }) => {
    if (url === undefined) return Effect.succeed({})
    return Result.match(Options.checkTokenUrl(url, { dangerouslyAllowTokenUrl }), {
      onFailure: (message) => Effect.fail(Options.invalid("LUCCA_TOKEN_URL", message)),
      onSuccess: (parsed) =>
        Effect.succeed({
          tokenUrl: parsed.href,
          ...(dangerouslyAllowTokenUrl ? { dangerouslyAllowTokenUrl } : {})
        })
    })
  })
)

/**
 * `LUCCA_CLIENT_ID`, `LUCCA_CLIENT_SECRET`, `LUCCA_SCOPES` and optional `LUCCA_TOKEN_URL`
 * (Lucca's token host or a loopback host; another `https` host only with
 * `LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL=true`, since the secret is sent there).
 *
 * @since 0.1.0
 * @category config
 */
export const credentials: CredentialsConfig = Config.all({
  clientId: Options.config("LUCCA_CLIENT_ID", Options.ClientId),
  clientSecret: Options.config("LUCCA_CLIENT_SECRET", Options.ClientSecretFromString),
  scopes: Options.config("LUCCA_SCOPES", Options.ScopesFromString),
  tokenUrl
}).pipe(Config.map(({ tokenUrl, ...rest }): Credentials => ({ ...rest, ...tokenUrl })))

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
}).pipe(Config.map(({ credentials, ...rest }): Client => ({ ...credentials, ...rest })))

/**
 * Validates client credentials given as options; the error names the option.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateCredentials = (
  options: ClientCredentials.Options
): Effect.Effect<ClientCredentials.Options, Config.ConfigError> =>
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
