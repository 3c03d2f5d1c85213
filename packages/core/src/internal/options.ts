import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as LuccaClient from "../LuccaClient.js"
import * as LuccaScope from "../LuccaScope.js"
import type * as TokenProvider from "../TokenProvider.js"
import * as Body from "./body.js"
import * as Http from "./http.js"

// Every option is defined here once, as a Schema whose messages name what is wrong (the
// path names the option). `LuccaConfig` exports the public ones and reads its `Config`s
// from them. The schemas take `unknown`: plain JavaScript callers pass anything, and get a
// ConfigError naming the option rather than a TypeError from deep inside.

/** @internal */
export const defaultApiVersion = "2024-11-01"

/** What a value is, for an error message (never the value: it may be a secret). */
const kind = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

/** The message of a schema, whatever fails inside it. */
const always = (message: string | ((actual: unknown) => string)) => ({
  message: (issue: ParseResult.ParseIssue) => ({
    message: typeof message === "string" ? message : message(issue.actual),
    override: true
  })
})

// -----------------------------------------------------------------------------
// credentials
// -----------------------------------------------------------------------------

/** @internal */
export const ClientId: Schema.Schema<string> = Schema.String.annotations({
  message: (issue) => `must be a string, got ${kind(issue.actual)}`
}).pipe(
  Schema.compose(Schema.Trim),
  Schema.filter((id) => id !== "" || "must not be empty")
)

/** A client secret's text (a secret is opaque: never trimmed). */
const SecretText = Schema.String.annotations({
  // only reached through `ClientSecret`: a string read from configuration is a string
  message: (issue) => `must be a Redacted string, got Redacted.make(${kind(issue.actual)}) (an unset variable?)`
}).pipe(
  Schema.filter((secret) => secret.trim() !== "" || "must not be empty or blank"),
  // a newline read from a file is a mistake to report
  Schema.filter((secret) =>
    secret.trim() === secret || "must not start or end with whitespace (a line break read from a file?)"
  )
)

/** @internal */
export const ClientSecret: Schema.Schema<Redacted.Redacted<string>> = Schema.RedactedFromSelf(SecretText).annotations({
  message: (issue) => `must be a Redacted string (Redacted.make(secret)), got ${kind(issue.actual)}`
})

/** The secret as configuration gives it: a string, redacted once read. @internal */
export const ClientSecretFromString: Schema.Schema<Redacted.Redacted<string>, string> = Schema.Redacted(SecretText)

/** @internal */
export const Scopes: Schema.Schema<ReadonlyArray<string>> = Schema.Array(Schema.String).annotations(
  always((actual) =>
    // one form only: a string is refused rather than split, so that the type, the docs and
    // every caller agree (LUCCA_SCOPES, a variable, is split by `ScopesFromString`)
    typeof actual === "string"
      ? `must be an array of scopes, such as ${JSON.stringify(LuccaScope.split(actual))}, not a string`
      : !Array.isArray(actual)
      ? `must be an array of scopes, such as ["employees.readonly"], got ${kind(actual)}`
      : `must hold strings only, got ${actual.filter((scope) => typeof scope !== "string").map(kind).join(", ")}`
  )
).pipe(
  Schema.filter((scopes) => scopes.length > 0 || "must name at least one scope, such as \"employees.readonly\""),
  // one complaint for every scope, not one issue each
  Schema.filter((scopes) => {
    const problems = scopes.flatMap((scope) =>
      Either.match(LuccaScope.validate(scope), { onLeft: (problem) => [problem], onRight: () => [] })
    )
    return problems.length === 0 || problems.join(" ")
  }),
  Schema.compose(
    Schema.transform(Schema.Array(Schema.String), Schema.Array(Schema.String), {
      strict: true,
      decode: (scopes) => [...new Set(scopes)],
      encode: identity
    })
  )
)

/** Scopes as configuration gives them: separated by spaces or commas. @internal */
export const ScopesFromString: Schema.Schema<ReadonlyArray<string>, string> = Schema.transform(
  Schema.String,
  Schema.Array(Schema.String),
  { strict: true, decode: LuccaScope.split, encode: (scopes) => scopes.join(" ") }
).pipe(Schema.compose(Scopes))

// -----------------------------------------------------------------------------
// URLs: the one place for the rules of the URLs the client sends anything to
// -----------------------------------------------------------------------------

const notAbsolute = (actual: unknown) => `"${String(actual)}" is not an absolute URL`

const UrlFromString = Schema.transformOrFail(
  Schema.String.annotations({ message: (issue) => notAbsolute(issue.actual) }),
  Schema.URLFromSelf,
  {
    strict: true,
    decode: (text, _, ast) =>
      URL.canParse(text)
        ? ParseResult.succeed(new URL(text))
        : ParseResult.fail(new ParseResult.Type(ast, text, notAbsolute(text))),
    encode: (url) => ParseResult.succeed(url.href)
  }
)

/**
 * Where a secret or a token may go: an absolute URL without credentials, `https`, or plain
 * `http` on a loopback host (for local emulation).
 *
 * @internal
 */
export const SecureUrl: Schema.Schema<URL, string> = UrlFromString.pipe(
  Schema.filter((url) => (url.username === "" && url.password === "") || "must not contain credentials"),
  Schema.filter((url) =>
    url.protocol === "https:" || (url.protocol === "http:" && Http.isLoopback(url.hostname)) ||
    `must use https (plain http is only accepted for loopback hosts), got ${url.protocol}//`
  )
)

/**
 * Where the client secret may go without `dangerouslyAllowTokenUrl`: Lucca's token host,
 * or a loopback host.
 *
 * @internal
 */
export const TokenUrl: Schema.Schema<URL, string> = SecureUrl.pipe(
  Schema.filter((url) =>
    Http.isLoopback(url.hostname) || Http.hostOf(url) === Http.tokenHost ||
    `must be Lucca's token host ${Http.tokenHost} or a loopback host; set dangerouslyAllowTokenUrl to send the client secret to ${
      Http.hostOf(url)
    }`
  )
)

/**
 * The account URL is an origin such as `https://example.ilucca.net`: paths are relative to
 * it, and the token is sent nowhere else.
 *
 * @internal
 */
export const AccountUrl: Schema.Schema<URL, string> = SecureUrl.pipe(
  Schema.filter((url) =>
    Http.hostOf(url) !== Http.tokenHost ||
    `${Http.tokenHost} is the global token host, not an account: use your account's own host, such as https://example.ilucca.net`
  ),
  Schema.filter((url) =>
    (url.pathname === "/" && url.search === "" && url.hash === "") ||
    `must be an origin without a path, such as ${url.origin}`
  ),
  Schema.compose(
    Schema.transform(Schema.URLFromSelf, Schema.URLFromSelf, {
      strict: true,
      decode: (url) => new URL(url.origin),
      encode: identity
    })
  )
)

/** Options take a URL as text or as a `URL`. */
const urlOption = (schema: Schema.Schema<URL, string>): Schema.Schema<URL, string | URL> =>
  Schema.transform(
    Schema.Union(Schema.String, Schema.URLFromSelf).annotations(always(notAbsolute)),
    schema,
    { strict: true, decode: (url) => typeof url === "string" ? url : url.href, encode: identity }
  )

const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? "is invalid"

const check = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (input: unknown): Either.Either<A, string> => Either.mapLeft(decode(input), firstMessage)
}

const checkSecureUrl = check(urlOption(SecureUrl))
const checkLuccaTokenUrl = check(urlOption(TokenUrl))

/**
 * Where the client secret may be sent (see `ClientCredentials.checkTokenUrl`): with
 * `dangerouslyAllowTokenUrl`, any URL `SecureUrl` accepts.
 *
 * @internal
 */
export const checkTokenUrl = (
  url: string | URL,
  options?: { readonly dangerouslyAllowTokenUrl?: boolean | undefined }
): Either.Either<URL, string> =>
  options?.dangerouslyAllowTokenUrl === true ? checkSecureUrl(url) : checkLuccaTokenUrl(url)

/**
 * The account URL's origin, or what is wrong with it (`TokenProvider.authenticate`'s
 * `origin` follows the same rule).
 *
 * @internal
 */
export const checkAccountUrl: (url: string | URL) => Either.Either<URL, string> = check(urlOption(AccountUrl))

// -----------------------------------------------------------------------------
// the account
// -----------------------------------------------------------------------------

/** A real calendar date: `Date.parse` accepts 2024-02-31 (as March 2). */
const isCalendarDay = (version: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return false
  const date = new Date(`${version}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === version
}

/** @internal */
export const ApiVersion: Schema.Schema<string> = Schema.String.pipe(Schema.filter(isCalendarDay)).annotations(
  always(`must be a date such as ${defaultApiVersion}, and a real calendar day`)
)

// -----------------------------------------------------------------------------
// durations, counts, switches
// -----------------------------------------------------------------------------

const DurationInput = Schema.declare(
  (u: unknown): u is Duration.DurationInput => Option.isSome(Duration.decodeUnknown(u)),
  { message: () => "must be a duration" }
)

/** A `DurationInput` (`"30 seconds"`, millis, a `Duration`), not negative. @internal */
export const NonNegativeDuration: Schema.Schema<Duration.Duration, Duration.DurationInput> = Schema.transform(
  DurationInput,
  Schema.DurationFromSelf,
  { strict: true, decode: Duration.decode, encode: identity }
).pipe(Schema.filter((duration) => !Duration.lessThan(duration, Duration.zero) || "must not be negative"))

/** @internal */
export const Count: Schema.Schema<number> = Schema.Number.pipe(
  Schema.filter((n) => Number.isSafeInteger(n) && n >= 1)
).annotations(always("must be a whole number of at least 1"))

const Bool = Schema.Boolean.annotations({ message: () => "must be true or false" })

/** `false`, or the options of a feature. */
const orFalse = <A, I>(schema: Schema.Schema<A, I>) => Schema.Union(Schema.Literal(false), schema)

/**
 * An optional option with a default: `Schema.optionalWith(schema, { default })` as decoding
 * sees it. `optionalWith` carries the code of all its variants (exact, nullable, as
 * `Option`) into every bundle that uses it; this is the one variant the options need.
 */
const withDefault = <A, I>(schema: Schema.Schema<A, I>, value: () => A) =>
  Schema.optionalToRequired(Schema.UndefinedOr(schema), Schema.typeSchema(schema), {
    decode: Option.match({ onNone: value, onSome: (a) => a === undefined ? value() : a }),
    encode: Option.some
  })

/** @internal */
export const defaults = {
  refreshWindow: Duration.minutes(5),
  hardMargin: Duration.seconds(30),
  tokenRetryBudget: Duration.seconds(30),
  rateLimit: { requests: 50, per: Duration.minutes(1), burst: 5 },
  requestRetry: { times: 5, maxRetryAfter: Duration.minutes(1) }
} as const

// -----------------------------------------------------------------------------
// the options of each constructor (their functions taken out: see `decodeProvider`)
// -----------------------------------------------------------------------------

const cacheFields = {
  refreshWindow: withDefault(NonNegativeDuration, () => defaults.refreshWindow),
  hardMargin: withDefault(NonNegativeDuration, () => defaults.hardMargin),
  tokenRetry: withDefault(
    orFalse(Schema.Struct({
      budget: withDefault(NonNegativeDuration, () => defaults.tokenRetryBudget)
    })),
    () => ({ budget: defaults.tokenRetryBudget })
  )
}

const marginsInOrder = (
  options: { readonly refreshWindow: Duration.Duration; readonly hardMargin: Duration.Duration }
) =>
  Duration.greaterThan(options.hardMargin, options.refreshWindow)
    ? { path: ["hardMargin"], message: "must not exceed refreshWindow" }
    : undefined

/**
 * The cache options of `TokenProvider.cached`, without `tokenRetry.backoff`.
 *
 * @internal
 */
export const CacheOptions = Schema.Struct(cacheFields).pipe(
  Schema.filter((options) => marginsInOrder(options) ?? true)
)

const validateTokenUrl = Schema.validateEither(TokenUrl)

/**
 * The options of a client application and its token cache (`TokenProvider.Options`),
 * without `tokenRetry.backoff`: every check, defaults included, decoded once.
 *
 * @internal
 */
export const ProviderOptions = Schema.Struct({
  clientId: ClientId,
  clientSecret: ClientSecret,
  scopes: Scopes,
  tokenUrl: Schema.optional(urlOption(SecureUrl)),
  dangerouslyAllowTokenUrl: Schema.optional(Bool),
  timeout: Schema.optional(NonNegativeDuration),
  maxResponseBytes: Schema.optional(Count),
  ...cacheFields
}).pipe(
  Schema.filter((options) => {
    // another host than Lucca's or a loopback one only with the opt-in, by `TokenUrl`'s rule
    if (options.tokenUrl !== undefined && options.dangerouslyAllowTokenUrl !== true) {
      const refused = validateTokenUrl(options.tokenUrl)
      if (Either.isLeft(refused)) return new ParseResult.Pointer("tokenUrl", options, refused.left.issue)
    }
    return marginsInOrder(options) ?? true
  })
)

/**
 * The account side of a client's options (`LuccaClient.ClientOptions`), without
 * `transformClient` and `requestRetry.backoff`.
 *
 * @internal
 */
export const AccountOptions = Schema.Struct({
  accountUrl: urlOption(AccountUrl),
  apiVersion: withDefault(ApiVersion, () => defaultApiVersion),
  rateLimit: withDefault(
    orFalse(
      Schema.Struct({
        requests: withDefault(Count, () => defaults.rateLimit.requests),
        per: withDefault(NonNegativeDuration, () => defaults.rateLimit.per),
        burst: withDefault(Count, () => defaults.rateLimit.burst)
      }).pipe(
        Schema.filter((limit) =>
          limit.burst < limit.requests || { path: ["burst"], message: "must be below rateLimit.requests" }
        )
      )
    ),
    () => defaults.rateLimit
  ),
  requestRetry: withDefault(
    orFalse(Schema.Struct({
      times: withDefault(Count, () => defaults.requestRetry.times),
      maxRetryAfter: withDefault(NonNegativeDuration, () => defaults.requestRetry.maxRetryAfter),
      nonIdempotent: withDefault(Bool, () => false)
    })),
    () => ({ ...defaults.requestRetry, nonIdempotent: false })
  ),
  responseBody: withDefault(
    Schema.Struct({
      maxBytes: withDefault(Count, () => Body.jsonLimits.maxBytes),
      timeout: withDefault(NonNegativeDuration, () => Body.jsonLimits.timeout)
    }),
    () => Body.jsonLimits
  )
})

// -----------------------------------------------------------------------------
// decoding
// -----------------------------------------------------------------------------

/**
 * The most precise complaint of a parse error (a union reports every member; the deepest
 * path is the one the input was meant for), as a `ConfigError` naming the option, or the
 * variable `names` maps it to.
 *
 * @internal
 */
export const toConfigError = (
  error: ParseResult.ParseError,
  names?: (path: string) => string
): ConfigError.ConfigError => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  // the first option in error, and of its complaints the most precise
  const first = issues[0]?.path[0]
  const issue = issues.filter((i) => i.path[0] === first).reduce(
    (best, next) => next.path.length > best.path.length ? next : best,
    issues[0]
  )
  const path = issue === undefined ? "" : issue.path.map(String).join(".")
  const message = issue === undefined
    ? "is invalid"
    : issue._tag === "Missing"
    ? "is missing"
    : issue.message
  return ConfigError.InvalidData([names === undefined ? path : names(path)], message)
}

/**
 * Decodes options with `schema` once; a failure is a `ConfigError` naming the option.
 *
 * @internal
 */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown
): Effect.Effect<A, ConfigError.ConfigError> =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all" })(input), {
    onLeft: (error) => Effect.fail(toConfigError(error)),
    onRight: Effect.succeed
  })

/**
 * The variable `name` read through `schema` (as `Schema.Config` does, with the one-line
 * message of the failing check rather than the schema's tree): the error names the
 * variable.
 *
 * @internal
 */
export const config = <A>(name: string, schema: Schema.Schema<A, string>): Config.Config<A> => {
  const decode = Schema.decodeEither(schema)
  return Config.mapOrFail(
    Config.string(name),
    (text) => Either.mapLeft(decode(text), (error) => ConfigError.InvalidData([], firstMessage(error)))
  )
}

// Functions and schedules are not data: as `OpenAiClient.layerConfig` does, they are taken
// out before the schema decodes the rest, checked for what they are, and put back.

/** `options` without the function or schedule at `key` (or at `key.inner`). */
const takeOut = (options: unknown, key: string, inner?: string): unknown => {
  // whatever a plain JavaScript caller passed: the schema says what is wrong with it
  if (!Predicate.isRecord(options) || !(key in options)) return options
  if (inner !== undefined) return { ...options, [key]: takeOut(options[key], inner) }
  const { [key]: _, ...rest } = options
  return rest
}

const invalid = (path: string, message: string) => Effect.fail(ConfigError.InvalidData([path], message))

/** The `backoff` of a retry option (already decoded, so a record or `false`), checked. */
const backoffOf = <S>(
  retry: { readonly backoff?: S | undefined } | false | undefined,
  path: string
): Effect.Effect<S | undefined, ConfigError.ConfigError> => {
  const backoff = Predicate.isRecord(retry) ? retry.backoff : undefined
  if (backoff !== undefined && !Schedule.isSchedule(backoff)) {
    return invalid(path, `must be a Schedule, such as LuccaRetry.defaultBackoff, got ${kind(backoff)}`)
  }
  return Effect.succeed(backoff)
}

const withBackoff = <A extends object, B>(decoded: A | false, backoff: B): (A & { readonly backoff: B }) | false =>
  decoded === false ? false : { ...decoded, backoff }

/**
 * `tokenRetry` decoded, its `backoff` put back.
 *
 * @internal
 */
export type TokenRetrySettings =
  | false
  | Exclude<typeof CacheOptions.Type["tokenRetry"], false> & {
    readonly backoff: TokenProvider.RetryOptions["backoff"]
  }

/**
 * What `decodeCache` gives.
 *
 * @internal
 */
export type CacheSettings = Omit<typeof CacheOptions.Type, "tokenRetry"> & {
  readonly tokenRetry: TokenRetrySettings
}

/**
 * What `decodeProvider` gives.
 *
 * @internal
 */
export type ProviderSettings = Omit<typeof ProviderOptions.Type, "tokenRetry"> & {
  readonly tokenRetry: TokenRetrySettings
}

/**
 * Decodes `TokenProvider.CacheOptions` with `CacheOptions`, `tokenRetry.backoff` taken out
 * first and put back.
 *
 * @internal
 */
export const decodeCache = (
  options: TokenProvider.CacheOptions | undefined
): Effect.Effect<CacheSettings, ConfigError.ConfigError> =>
  Effect.flatMap(
    decode(CacheOptions, takeOut(options ?? {}, "tokenRetry", "backoff")),
    (decoded) =>
      Effect.map(backoffOf(options?.tokenRetry, "tokenRetry.backoff"), (backoff) => ({
        ...decoded,
        tokenRetry: withBackoff(decoded.tokenRetry, backoff)
      }))
  )

/**
 * Decodes `TokenProvider.Options` with `ProviderOptions`, `tokenRetry.backoff` taken out
 * first and put back.
 *
 * @internal
 */
export const decodeProvider = (
  options: TokenProvider.Options
): Effect.Effect<ProviderSettings, ConfigError.ConfigError> =>
  Effect.flatMap(
    decode(ProviderOptions, takeOut(options, "tokenRetry", "backoff")),
    (decoded) =>
      Effect.map(backoffOf(options.tokenRetry, "tokenRetry.backoff"), (backoff) => ({
        ...decoded,
        tokenRetry: withBackoff(decoded.tokenRetry, backoff)
      }))
  )

/**
 * What `decodeClient` gives: the decoded account options, `transformClient` and
 * `requestRetry.backoff` put back.
 *
 * @internal
 */
export type ClientSettings = Omit<typeof AccountOptions.Type, "requestRetry"> & {
  readonly transformClient: LuccaClient.ClientOptions["transformClient"]
  readonly requestRetry:
    | false
    | Exclude<typeof AccountOptions.Type["requestRetry"], false> & {
      readonly backoff: LuccaClient.RetryOptions["backoff"]
    }
}

/**
 * Decodes `LuccaClient.ClientOptions` with `AccountOptions`, `transformClient` and
 * `requestRetry.backoff` taken out first and put back.
 *
 * @internal
 */
export const decodeClient = (
  options: LuccaClient.ClientOptions
): Effect.Effect<ClientSettings, ConfigError.ConfigError> =>
  Effect.flatMap(
    decode(AccountOptions, takeOut(takeOut(options, "transformClient"), "requestRetry", "backoff")),
    (decoded) =>
      options.transformClient !== undefined && !Predicate.isFunction(options.transformClient)
        ? invalid("transformClient", `must be a function of the client, got ${kind(options.transformClient)}`)
        : Effect.map(backoffOf(options.requestRetry, "requestRetry.backoff"), (backoff) => ({
          ...decoded,
          // a method of the options: called on them
          transformClient: options.transformClient?.bind(options),
          requestRetry: withBackoff(decoded.requestRetry, backoff)
        }))
  )

/**
 * An emulator's account URL with Lucca's own token URL: the client secret would go to the
 * real token host, which answers nothing useful (or cannot be reached) after the whole retry
 * budget. Logged when the client is built, before any wait.
 *
 * @internal
 */
export const tokenUrlHint = (accountUrl: URL, tokenUrl: URL | undefined): Effect.Effect<void> => {
  if (!Http.isLoopback(accountUrl.hostname)) return Effect.void
  const token = tokenUrl ?? new URL(Http.defaultTokenUrl)
  if (Http.hostOf(token) !== Http.tokenHost) return Effect.void
  return Effect.logWarning(
    `the account URL ${accountUrl.origin} is loopback but the token URL is Lucca's (${token.href}): ` +
      "to use a local emulator, set LUCCA_TOKEN_URL (the tokenUrl option) to its token URL"
  ).pipe(Effect.annotateLogs({ "lucca.account_url": accountUrl.origin, "lucca.token_url": token.href }))
}
