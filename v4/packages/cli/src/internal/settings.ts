/**
 * The connection settings of the commands: the `LUCCA_*` variables of `LuccaConfig`, each
 * overridable by a flag. The client secret has no flag: a command line is visible to
 * every user of the machine (`ps`) and kept in shell histories.
 */
import { LuccaConfig } from "@effect-lucca/core"
import * as Flag from "effect/cli/Flag"
import type * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as SchemaIssue from "effect/SchemaIssue"

/** The flag of each variable, for error messages that say how to fix a setting. */
export const flagOf: Readonly<Record<string, string | undefined>> = {
  LUCCA_ACCOUNT_URL: "--account-url",
  LUCCA_CLIENT_ID: "--client-id",
  LUCCA_SCOPES: "--scopes",
  LUCCA_TOKEN_URL: "--token-url",
  LUCCA_API_VERSION: "--api-version"
}

const setting = (name: string, variable: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withDescription(`${description} (default: $${variable})`),
    Flag.optional
  )

/** The flags every command that talks to Lucca takes. */
export const options = {
  accountUrl: setting("account-url", "LUCCA_ACCOUNT_URL", "The account origin, such as https://example.ilucca.net"),
  clientId: setting("client-id", "LUCCA_CLIENT_ID", "The client id of the client application"),
  scopes: setting("scopes", "LUCCA_SCOPES", "The scopes to request, separated by spaces or commas"),
  tokenUrl: setting("token-url", "LUCCA_TOKEN_URL", "The token endpoint (Lucca's, or a loopback emulator)"),
  apiVersion: setting("api-version", "LUCCA_API_VERSION", "The Api-Version header, such as 2024-11-01")
}

/** What the flags parse to. */
export interface Flags {
  readonly accountUrl: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly scopes: Option.Option<string>
  readonly tokenUrl: Option.Option<string>
  readonly apiVersion: Option.Option<string>
}

/** `config` read with the flags first, then the current `ConfigProvider`. */
const withFlags = <A>(flags: Flags, config: Config.Config<A>): Effect.Effect<A, Config.ConfigError> =>
  Effect.flatMap(ConfigProvider.ConfigProvider, (fallback) => {
    const given: Record<string, string> = {}
    const put = (variable: string, value: Option.Option<string>) => {
      if (Option.isSome(value)) given[variable] = value.value
    }
    put("LUCCA_ACCOUNT_URL", flags.accountUrl)
    put("LUCCA_CLIENT_ID", flags.clientId)
    put("LUCCA_SCOPES", flags.scopes)
    put("LUCCA_TOKEN_URL", flags.tokenUrl)
    put("LUCCA_API_VERSION", flags.apiVersion)
    return config.parse(ConfigProvider.orElse(ConfigProvider.fromEnvRecord(given), fallback))
  })

/**
 * The settings, checked by `LuccaConfig.client`: the flags first, then the current
 * `ConfigProvider` (the environment, unless a test provides another).
 */
export const read = (flags: Flags): Effect.Effect<LuccaConfig.Client, Config.ConfigError> =>
  withFlags(flags, LuccaConfig.client)

/** The credentials alone (`LuccaConfig.credentials`), for commands that need no account. */
export const readCredentials = (flags: Flags): Effect.Effect<LuccaConfig.Credentials, Config.ConfigError> =>
  withFlags(flags, LuccaConfig.credentials)

/** A setting and what is wrong with it. */
export interface Problem {
  readonly setting: string
  readonly message: string
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** One line per problem of a `ConfigError`: the setting, what is wrong. */
export const problems = (error: Config.ConfigError): ReadonlyArray<Problem> => {
  if (error.cause._tag === "SourceError") return [{ setting: "settings", message: error.cause.message }]
  return formatter(error.cause.issue).issues.map((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      String(typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment)
    )
    return {
      setting: path.join("_") || "settings",
      // a variable's value is always a string: "Expected string" means it is not there
      message: issue.message === "Missing key" || issue.message === "Expected string" ? "is not set" : issue.message
    }
  }).filter((problem, i, all) =>
    // a `Config.orElse` may report the same missing variable twice
    all.findIndex((p) => p.setting === problem.setting && p.message === problem.message) === i
  )
}

/** How to set one setting. */
export const howToSet = (variable: string): string => {
  const flag = flagOf[variable]
  return flag === undefined ? `set ${variable}` : `set ${variable} or pass ${flag}`
}
