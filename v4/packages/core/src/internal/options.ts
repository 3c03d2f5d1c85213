import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
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

/** A check whose failure stops the checks after it (a value of the wrong type is not checked further). */
const guard = <T>(check: (input: T) => true | string) => Schema.makeFilter<T>(check, undefined, true)

/** `to`, from any input that `is` accepts; another is refused with `message` of what it is. */
const from = <S extends Schema.Top>(
  is: (input: unknown) => boolean,
  message: (input: unknown) => string,
  to: S
) =>
  Schema.Unknown.check(guard((input) => is(input) || message(input))).pipe(
    Schema.decodeTo(to, SchemaTransformation.passthrough({ strict: false }))
  )

// -----------------------------------------------------------------------------
// credentials
// -----------------------------------------------------------------------------

/**
 * Whether `text` is well-formed UTF-16: a lone surrogate cannot be sent in a form body
 * (it would leave as U+FFFD, another credential than the one given).
 */
const isWellFormed = (text: string): boolean =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)

const wellFormed = guard((text: string) =>
  isWellFormed(text) || "must be well-formed text (it holds a lone UTF-16 surrogate, which cannot be sent as is)"
)

/** @internal */
export const ClientId: Schema.Codec<string, unknown> = from(
  Predicate.isString,
  (actual) => `must be a string, got ${kind(actual)}`,
  Schema.Trim.check(guard((id) => id !== "" || "must not be empty"), wellFormed)
)

/** What is wrong with a client secret's text, if anything (a secret is opaque: never trimmed). */
const SecretText = Schema.String.check(
  guard((secret) => secret.trim() !== "" || "must not be empty or blank"),
  // a newline read from a file is a mistake to report
  guard((secret) =>
    secret.trim() === secret || "must not start or end with whitespace (a line break read from a file?)"
  ),
  wellFormed
)

const decodeSecretText = Schema.decodeUnknownResult(SecretText)

/** @internal */
export const ClientSecret: Schema.Codec<Redacted.Redacted<string>, unknown> = Schema.Unknown.check(
  guard((secret) =>
    Redacted.isRedacted(secret) || `must be a Redacted string (Redacted.make(secret)), got ${kind(secret)}`
  ),
  // only reached through options: a string read from configuration is a string
  guard((secret) => {
    const value: unknown = Redacted.value(secret as Redacted.Redacted<unknown>)
    return typeof value === "string" ||
      `must be a Redacted string, got Redacted.make(${kind(value)}) (an unset variable?)`
  }),
  // the text's checks, on the value inside: `Schema.Redacted` would hide their messages
  guard((secret) =>
    Result.match(decodeSecretText(Redacted.value(secret as Redacted.Redacted<string>)), {
      onFailure: (error) => Http.describeParseError(error).message,
      onSuccess: () => true as const
    })
  )
).pipe(Schema.decodeTo(Schema.Redacted(Schema.String), SchemaTransformation.passthrough({ strict: false })))

/** The secret as configuration gives it: a string, redacted once read. @internal */
export const ClientSecretFromString: Schema.Codec<Redacted.Redacted<string>, string> = SecretText.pipe(
  Schema.decodeTo(
    Schema.Redacted(Schema.String),
    SchemaTransformation.transform({ decode: (secret) => Redacted.make(secret), encode: Redacted.value })
  )
)

/** An array of strings, or what a plain JavaScript caller passed instead. */
const scopeArrayProblem = (actual: unknown): string =>
  // one form only: a string is refused rather than split, so that the type, the docs and
  // every caller agree (LUCCA_SCOPES, a variable, is split by `ScopesFromString`)
  typeof actual === "string"
    ? `must be an array of scopes, such as ${JSON.stringify(LuccaScope.split(actual))}, not a string`
    : !Array.isArray(actual)
    ? `must be an array of scopes, such as ["employees.readonly"], got ${kind(actual)}`
    : `must hold strings only, got ${actual.filter((scope) => typeof scope !== "string").map(kind).join(", ")}`

/** @internal */
export const Scopes: Schema.Codec<ReadonlyArray<string>, unknown> = from(
  (actual) => Array.isArray(actual) && actual.every(Predicate.isString),
  scopeArrayProblem,
  Schema.Array(Schema.String).check(
    guard((scopes) => scopes.length > 0 || "must name at least one scope, such as \"employees.readonly\""),
    // one complaint for every scope, not one issue each
    guard((scopes) => {
      const problems = scopes.flatMap((scope) =>
        Result.match(LuccaScope.validate(scope), { onFailure: (problem) => [problem], onSuccess: () => [] })
      )
      return problems.length === 0 || problems.join(" ")
    })
  ).pipe(
    Schema.decodeTo(
      Schema.Array(Schema.String),
      SchemaTransformation.transform<ReadonlyArray<string>, ReadonlyArray<string>>({
        decode: (scopes) => [...new Set(scopes)],
        encode: identity
      })
    )
  )
)

/** Scopes as configuration gives them: separated by spaces or commas. @internal */
export const ScopesFromString: Schema.Codec<ReadonlyArray<string>, string> = Schema.String.pipe(
  Schema.decodeTo(
    Scopes,
    SchemaTransformation.transform<unknown, string>({
      decode: LuccaScope.split,
      encode: (scopes) => (scopes as ReadonlyArray<string>).join(" ")
    })
  )
)

// -----------------------------------------------------------------------------
// URLs: the one place for the rules of the URLs the client sends anything to
// -----------------------------------------------------------------------------

const notAbsolute = (actual: unknown) => `"${String(actual)}" is not an absolute URL`

/** A URL given as text or as a `URL`. */
const UrlInput = from(
  (actual) => actual instanceof URL || (typeof actual === "string" && URL.canParse(actual)),
  notAbsolute,
  Schema.Union([Schema.String, Schema.URL]).pipe(
    Schema.decodeTo(
      Schema.URL,
      SchemaTransformation.transform({ decode: (url) => new URL(url), encode: identity })
    )
  )
)

/**
 * Where a secret or a token may go: an absolute URL without credentials, `https`, or plain
 * `http` on a loopback host (for local emulation).
 *
 * @internal
 */
export const SecureUrl: Schema.Codec<URL, unknown> = UrlInput.check(
  guard((url) => (url.username === "" && url.password === "") || "must not contain credentials"),
  guard((url) =>
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
export const TokenUrl: Schema.Codec<URL, unknown> = SecureUrl.check(
  guard((url) =>
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
export const AccountUrl: Schema.Codec<URL, unknown> = SecureUrl.check(
  guard((url) =>
    Http.hostOf(url) !== Http.tokenHost ||
    `${Http.tokenHost} is the global token host, not an account: use your account's own host, such as https://example.ilucca.net`
  ),
  guard((url) =>
    (url.pathname === "/" && url.search === "" && url.hash === "") ||
    `must be an origin without a path, such as ${url.origin}`
  )
).pipe(
  Schema.decodeTo(
    Schema.URL,
    SchemaTransformation.transform({ decode: (url) => new URL(url.origin), encode: identity })
  )
)

const firstMessage = (error: Schema.SchemaError): string => Http.describeParseError(error).message

const check = <A>(schema: Schema.Codec<A, unknown>) => {
  const decode = Schema.decodeUnknownResult(schema)
  return (input: unknown): Result.Result<A, string> => Result.mapError(decode(input), firstMessage)
}

const checkSecureUrl = check(SecureUrl)
const checkLuccaTokenUrl = check(TokenUrl)

/**
 * Where the client secret may be sent (see `ClientCredentials.checkTokenUrl`): with
 * `dangerouslyAllowTokenUrl`, any URL `SecureUrl` accepts.
 *
 * @internal
 */
export const checkTokenUrl = (
  url: string | URL,
  options?: { readonly dangerouslyAllowTokenUrl?: boolean | undefined }
): Result.Result<URL, string> =>
  options?.dangerouslyAllowTokenUrl === true ? checkSecureUrl(url) : checkLuccaTokenUrl(url)

// -----------------------------------------------------------------------------
// the account
// -----------------------------------------------------------------------------

/** A real calendar date: `Date.parse` accepts 2024-02-31 (as March 2). */
const isCalendarDay = (version: unknown): boolean => {
  if (typeof version !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(version)) return false
  const date = new Date(`${version}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === version
}

/** @internal */
export const ApiVersion: Schema.Codec<string, unknown> = from(
  isCalendarDay,
  () => `must be a date such as ${defaultApiVersion}, and a real calendar day`,
  Schema.String
)

// -----------------------------------------------------------------------------
// durations, counts, switches
// -----------------------------------------------------------------------------

const isDurationInput = (input: unknown): boolean => {
  try {
    return Option.isSome(Duration.fromInput(input as Duration.Input))
  } catch {
    return false
  }
}

/** A `Duration.Input` (`"30 seconds"`, millis, a `Duration`), not negative. @internal */
export const NonNegativeDuration: Schema.Codec<Duration.Duration, unknown> = from(
  isDurationInput,
  () => "must be a duration",
  Schema.Unknown.pipe(
    Schema.decodeTo(
      Schema.Duration,
      // reached only from an input the guard accepted
      SchemaTransformation.transform<Duration.Duration, unknown>({
        decode: (input) => Duration.fromInputUnsafe(input as Duration.Input),
        encode: identity
      })
    )
  )
).check(guard((duration) => !Duration.isNegative(duration) || "must not be negative"))

/** @internal */
export const Count: Schema.Codec<number, unknown> = from(
  (n) => Number.isSafeInteger(n) && (n as number) >= 1,
  () => "must be a whole number of at least 1",
  Schema.Number
)

const Bool = from(Predicate.isBoolean, () => "must be true or false", Schema.Boolean)

/** `false`, or the options of a feature. */
const orFalse = <S extends Schema.Top>(schema: S) => Schema.Union([Schema.Literal(false), schema])

const withDefault = <A>(schema: Schema.Codec<A, any>, value: () => A) =>
  schema.pipe(Schema.withDecodingDefault(Effect.sync(value)))

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

const marginsInOrder = Schema.makeFilter(
  (options: { readonly refreshWindow: Duration.Duration; readonly hardMargin: Duration.Duration }) =>
    Duration.isGreaterThan(options.hardMargin, options.refreshWindow)
      ? { path: ["hardMargin"], issue: "must not exceed refreshWindow" }
      : undefined
)

/**
 * The cache options of `TokenProvider.cached`, without `tokenRetry.backoff`.
 *
 * @internal
 */
export const CacheOptions = Schema.Struct(cacheFields).check(marginsInOrder)

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
  tokenUrl: Schema.optional(SecureUrl),
  dangerouslyAllowTokenUrl: Schema.optional(Bool),
  timeout: Schema.optional(NonNegativeDuration),
  maxResponseBytes: Schema.optional(Count),
  ...cacheFields
}).check(
  // another host than Lucca's or a loopback one only with the opt-in, by `TokenUrl`'s rule
  Schema.makeFilter((options) => {
    if (options.tokenUrl === undefined || options.dangerouslyAllowTokenUrl === true) return undefined
    return Result.match(checkLuccaTokenUrl(options.tokenUrl), {
      onFailure: (message) => ({ path: ["tokenUrl"], issue: message }),
      onSuccess: () => undefined
    })
  }),
  marginsInOrder
)

/** @internal */
export type ProviderOptions = typeof ProviderOptions.Type

/**
 * The account side of a client's options (`LuccaClient.ClientOptions`), without
 * `transformClient` and `requestRetry.backoff`.
 *
 * @internal
 */
export const AccountOptions = Schema.Struct({
  accountUrl: AccountUrl,
  apiVersion: withDefault(ApiVersion, () => defaultApiVersion),
  rateLimit: withDefault(
    orFalse(
      Schema.Struct({
        requests: withDefault(Count, () => defaults.rateLimit.requests),
        per: withDefault(NonNegativeDuration, () => defaults.rateLimit.per),
        burst: withDefault(Count, () => defaults.rateLimit.burst)
      }).check(
        Schema.makeFilter((limit) =>
          limit.burst < limit.requests ? undefined : { path: ["burst"], issue: "must be below rateLimit.requests" }
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
 * The most precise complaint of a schema failure (a union reports every member; the
 * deepest path is the one the input was meant for), as a `ConfigError` whose message names
 * the option, or the variable `names` maps it to.
 *
 * @internal
 */
export const toConfigError = (
  error: Schema.SchemaError,
  names?: (path: string) => string
): Config.ConfigError => {
  const issues = Http.issuesOf(error.issue)
  // the first option in error, and of its complaints the most precise
  const first = issues[0]?.path[0]
  const issue = issues.filter((i) => i.path[0] === first).reduce(
    (best, next) => next.path.length > best.path.length ? next : best,
    issues[0]
  )
  const path = issue === undefined ? "" : issue.path.map(String).join(".")
  const message = issue === undefined ? "is invalid" : issue.missing ? "is missing" : issue.message
  const name = names === undefined ? path : names(path)
  return new Config.ConfigError(
    new Schema.SchemaError(
      new SchemaIssue.Pointer(name === "" ? [] : [name], new SchemaIssue.InvalidValue({ message }))
    )
  )
}

/**
 * Decodes options with `schema` once; a failure is a `ConfigError` naming the option.
 *
 * @internal
 */
export const decode = <S extends Schema.Codec<any, any>>(
  schema: S,
  input: unknown
): Effect.Effect<S["Type"], Config.ConfigError> =>
  Result.match(Schema.decodeUnknownResult(schema as any, { errors: "all" })(input), {
    onFailure: (error) => Effect.fail(toConfigError(error as Schema.SchemaError)),
    onSuccess: (value) => Effect.succeed(value as S["Type"])
  })

/**
 * The variable `name` read through `schema`: the error names the variable, with the
 * one-line message of the failing check.
 *
 * @internal
 */
export const config = <A>(
  name: string,
  schema: Schema.Codec<A, string> | Schema.Codec<A, unknown>
): Config.Config<A> => {
  const decode = Schema.decodeUnknownResult(schema as Schema.Codec<A, unknown>)
  return Config.String(name).pipe(
    Config.mapEffect((text) =>
      Result.match(decode(text), {
        onFailure: (error) => Effect.fail(invalid(name, firstMessage(error))),
        onSuccess: (value) => Effect.succeed(value)
      })
    )
  )
}

/**
 * A failure naming an option or a variable, with its message.
 *
 * @internal
 */
export const invalid = (name: string, message: string): Config.ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([name], new SchemaIssue.InvalidValue({ message })))
  )

// Functions and schedules are not data: as `OpenAiClient.layerConfig` does, they are taken
// out before the schema decodes the rest, checked for what they are, and put back.

/** `options` without the function or schedule at `key` (or at `key.inner`). */
const takeOut = (options: unknown, key: string, inner?: string): unknown => {
  // whatever a plain JavaScript caller passed: the schema says what is wrong with it
  if (!Predicate.isObject(options) || Array.isArray(options) || !(key in options)) return options
  const record = options as Record<string, unknown>
  if (inner !== undefined) return { ...record, [key]: takeOut(record[key], inner) }
  const { [key]: _, ...rest } = record
  return rest
}

/** The `backoff` of a retry option (already decoded, so a record or `false`), checked. */
const backoffOf = <S>(
  retry: { readonly backoff?: S | undefined } | false | undefined,
  path: string
): Effect.Effect<S | undefined, Config.ConfigError> => {
  const backoff = Predicate.isObject(retry) ? retry.backoff : undefined
  if (backoff !== undefined && !Schedule.isSchedule(backoff)) {
    return Effect.fail(invalid(path, `must be a Schedule, such as LuccaRetry.defaultBackoff, got ${kind(backoff)}`))
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
): Effect.Effect<CacheSettings, Config.ConfigError> =>
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
): Effect.Effect<ProviderSettings, Config.ConfigError> =>
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
): Effect.Effect<ClientSettings, Config.ConfigError> =>
  Effect.flatMap(
    decode(AccountOptions, takeOut(takeOut(options, "transformClient"), "requestRetry", "backoff")),
    (decoded) =>
      options.transformClient !== undefined && !Predicate.isFunction(options.transformClient)
        ? Effect.fail(
          invalid("transformClient", `must be a function of the client, got ${kind(options.transformClient)}`)
        )
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
