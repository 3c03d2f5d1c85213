import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as ClientCredentials from "../ClientCredentials.js"
import * as LuccaScope from "../LuccaScope.js"
import * as Body from "./body.js"
import * as Http from "./http.js"

const tokenHost = "accounts.world.luccasoftware.com"

/** @internal */
export const defaultApiVersion = "2024-11-01"

type Check<A, B = A> = (value: A) => Result.Result<B, string>

// The checks take `unknown`: plain JavaScript callers pass anything, and get a ConfigError
// naming the option rather than a TypeError from deep inside.

/** What a value is, for an error message (never the value: it may be a secret). */
const kind = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

/** @internal */
export const checkClientId: Check<unknown, string> = (clientId) =>
  typeof clientId !== "string"
    ? Result.fail(`must be a string, got ${kind(clientId)}`)
    : clientId.trim() === ""
    ? Result.fail("must not be empty")
    : Result.succeed(clientId.trim())

/** @internal */
export const checkClientSecret: Check<unknown, Redacted.Redacted<string>> = (secret) => {
  if (!Redacted.isRedacted(secret)) {
    return Result.fail(`must be a Redacted string (Redacted.make(secret)), got ${kind(secret)}`)
  }
  const value: unknown = Redacted.value(secret)
  if (typeof value !== "string") {
    return Result.fail(`must be a Redacted string, got Redacted.make(${kind(value)}) (an unset variable?)`)
  }
  if (value.trim() === "") return Result.fail("must not be empty or blank")
  // not trimmed: a secret is opaque, and a newline read from a file is a mistake to report
  if (value.trim() !== value) {
    return Result.fail("must not start or end with whitespace (a line break read from a file?)")
  }
  return Result.succeed(secret as Redacted.Redacted<string>)
}

/** @internal */
export const checkScopes: Check<unknown, ReadonlyArray<string>> = (scopes) => {
  // one form only: a string is refused rather than split, so that the type, the docs and
  // every caller agree (LUCCA_SCOPES, a variable, is split by the Config reader)
  if (typeof scopes === "string") {
    return Result.fail(
      `must be an array of scopes, such as ${JSON.stringify(LuccaScope.split(scopes))}, not a string`
    )
  }
  if (!Array.isArray(scopes)) {
    return Result.fail(`must be an array of scopes, such as ["employees.readonly"], got ${kind(scopes)}`)
  }
  const notStrings = scopes.filter((scope) => typeof scope !== "string")
  if (notStrings.length > 0) {
    return Result.fail(`must hold strings only, got ${notStrings.map(kind).join(", ")}`)
  }
  if (scopes.length === 0) {
    return Result.fail("must name at least one scope, such as \"employees.readonly\"")
  }
  const problems: Array<string> = []
  for (const scope of scopes) {
    const checked = LuccaScope.validate(scope)
    if (Result.isFailure(checked)) problems.push(checked.failure)
  }
  return problems.length === 0 ? Result.succeed([...new Set(scopes)]) : Result.fail(problems.join(" "))
}

const checkHttpsUrl = (url: string | URL): Result.Result<URL, string> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Result.fail(`"${String(url)}" is not an absolute URL`)
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return Result.fail("must not contain credentials")
  }
  if (parsed.protocol === "https:") return Result.succeed(parsed)
  if (parsed.protocol === "http:" && Http.isLoopback(parsed.hostname)) return Result.succeed(parsed)
  return Result.fail(`must use https (plain http is only accepted for loopback hosts), got ${parsed.protocol}//`)
}

/**
 * Where the client secret may go (see `ClientCredentials.checkTokenUrl`).
 *
 * @internal
 */
export const checkTokenUrl = (
  options?: { readonly dangerouslyAllowTokenUrl?: boolean | undefined }
): Check<string | URL, URL> =>
(url) =>
  Result.flatMap(checkHttpsUrl(url), (parsed) => {
    const refused = ClientCredentials.checkTokenUrl(parsed, options)
    return refused === undefined ? Result.succeed(parsed) : Result.fail(refused)
  })

/**
 * The account URL is an origin such as `https://example.ilucca.net`: paths are relative to
 * it, and the token is sent nowhere else.
 *
 * @internal
 */
export const checkAccountUrl: Check<string | URL, URL> = (url) =>
  Result.flatMap(checkHttpsUrl(url), (parsed) => {
    if (parsed.hostname.replace(/\.$/, "") === tokenHost) {
      return Result.fail(
        `${tokenHost} is the global token host, not an account: use your account's own host, such as https://example.ilucca.net`
      )
    }
    if (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "") {
      return Result.fail(`must be an origin without a path, such as ${parsed.origin}`)
    }
    return Result.succeed(new URL(parsed.origin))
  })

/** @internal */
export const checkApiVersion: Check<string> = (version) => {
  // a real calendar date: `Date.parse` accepts 2024-02-31 (as March 2)
  const date = typeof version === "string" && /^\d{4}-\d{2}-\d{2}$/.test(version)
    ? new Date(`${version}T00:00:00Z`)
    : undefined
  return date !== undefined && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === version
    ? Result.succeed(version)
    : Result.fail(`must be a date such as ${defaultApiVersion}, and a real calendar day`)
}

/** @internal */
export const checkCount: Check<number> = (n) =>
  Number.isSafeInteger(n) && n >= 1 ? Result.succeed(n) : Result.fail("must be a whole number of at least 1")

/** @internal */
export const checkDuration = (value: Duration.Input): Result.Result<Duration.Duration, string> => {
  let duration: Option.Option<Duration.Duration>
  try {
    duration = Duration.fromInput(value)
  } catch {
    duration = Option.none()
  }
  if (Option.isNone(duration)) return Result.fail("must be a duration")
  return Duration.isNegative(duration.value) ? Result.fail("must not be negative") : Result.succeed(duration.value)
}

/**
 * A check as a schema: the input as given, decoded to what the check makes of it, or an
 * issue with the check's message.
 */
const checked = <A, B>(check: Check<A, B>): Schema.Codec<B, A> =>
  Schema.Any.pipe(
    Schema.decodeTo(
      Schema.Any,
      SchemaTransformation.transformEffect({
        decode: (value: any) =>
          Result.match(check(value), {
            onFailure: (message) => Effect.fail(new SchemaIssue.InvalidValue({ message }, value)),
            onSuccess: (decoded) => Effect.succeed(decoded)
          }),
        encode: (value: any) => Effect.succeed(value)
      })
    )
  ) as any

/** @internal */
export const ClientId = checked(checkClientId)
/** @internal */
export const ClientSecret = checked(checkClientSecret)
/** @internal */
export const Scopes = checked(checkScopes)
/** @internal */
export const HttpsUrl = checked(checkHttpsUrl)
/** @internal */
export const AccountUrl = checked(checkAccountUrl)
/** @internal */
export const ApiVersion = checked(checkApiVersion)
/** @internal */
export const TokenUrl = checked(checkTokenUrl())

const Count = checked(checkCount)
const DurationField = checked(checkDuration)
const Bool = checked<boolean, boolean>((b) =>
  typeof b === "boolean" ? Result.succeed(b) : Result.fail("must be true or false")
)
// values the schemas do not look into, checked for what they must be (a plain JavaScript
// caller otherwise got a defect at the first retry, or when the client was built)
const ScheduleField = checked<unknown, unknown>((s) =>
  Schedule.isSchedule(s) ? Result.succeed(s) : Result.fail("must be a Schedule")
)
const FunctionField = checked<unknown, unknown>((f) =>
  typeof f === "function" ? Result.succeed(f) : Result.fail("must be a function")
)

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

/**
 * The options of a client application and its token cache (`TokenProvider.Options`), as
 * one schema: every check, defaults included, decoded once.
 *
 * @internal
 */
export const ProviderOptions = Schema.Struct({
  clientId: ClientId,
  clientSecret: ClientSecret,
  scopes: Scopes,
  tokenUrl: Schema.optional(HttpsUrl),
  dangerouslyAllowTokenUrl: Schema.optional(Bool),
  timeout: Schema.optional(DurationField),
  maxResponseBytes: Schema.optional(Count),
  refreshWindow: withDefault(DurationField, () => defaults.refreshWindow),
  hardMargin: withDefault(DurationField, () => defaults.hardMargin),
  tokenRetry: withDefault(
    orFalse(Schema.Struct({
      backoff: Schema.optional(ScheduleField),
      budget: withDefault(DurationField, () => defaults.tokenRetryBudget)
    })),
    () => ({ budget: defaults.tokenRetryBudget })
  )
}).check(
  Schema.makeFilter((options) => {
    if (options.tokenUrl !== undefined) {
      const refused = ClientCredentials.checkTokenUrl(options.tokenUrl, options)
      if (refused !== undefined) return { path: ["tokenUrl"], issue: refused }
    }
    if (Duration.isGreaterThan(options.hardMargin, options.refreshWindow)) {
      return { path: ["hardMargin"], issue: "must not exceed refreshWindow" }
    }
    return undefined
  })
)

/** @internal */
export type ProviderOptions = typeof ProviderOptions.Type

/**
 * The cache options alone (`TokenProvider.CacheOptions`), checked as in
 * {@link ProviderOptions}.
 *
 * @internal
 */
export const CacheOptions = Schema.Struct({
  refreshWindow: ProviderOptions.fields.refreshWindow,
  hardMargin: ProviderOptions.fields.hardMargin,
  tokenRetry: ProviderOptions.fields.tokenRetry
}).check(
  Schema.makeFilter((options) =>
    Duration.isGreaterThan(options.hardMargin, options.refreshWindow)
      ? { path: ["hardMargin"], issue: "must not exceed refreshWindow" }
      : undefined
  )
)

/**
 * The account side of a client's options (`LuccaClient.ClientOptions`).
 *
 * @internal
 */
export const AccountOptions = Schema.Struct({
  accountUrl: AccountUrl,
  apiVersion: withDefault(ApiVersion, () => defaultApiVersion),
  transformClient: Schema.optional(FunctionField),
  rateLimit: withDefault(
    orFalse(
      Schema.Struct({
        requests: withDefault(Count, () => defaults.rateLimit.requests),
        per: withDefault(DurationField, () => defaults.rateLimit.per),
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
      backoff: Schema.optional(ScheduleField),
      times: withDefault(Count, () => defaults.requestRetry.times),
      maxRetryAfter: withDefault(DurationField, () => defaults.requestRetry.maxRetryAfter),
      nonIdempotent: withDefault(Bool, () => false)
    })),
    () => ({ ...defaults.requestRetry, nonIdempotent: false })
  ),
  responseBody: withDefault(
    Schema.Struct({
      maxBytes: withDefault(Count, () => Body.jsonLimits.maxBytes),
      timeout: withDefault(DurationField, () => Body.jsonLimits.timeout)
    }),
    () => Body.jsonLimits
  )
})

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
 * An emulator's account URL with Lucca's own token URL: the client secret would go to the
 * real token host, which answers nothing useful (or cannot be reached) after the whole retry
 * budget. Logged when the client is built, before any wait.
 *
 * @internal
 */
export const tokenUrlHint = (accountUrl: URL, tokenUrl: URL | undefined): Effect.Effect<void> => {
  if (!Http.isLoopback(accountUrl.hostname)) return Effect.void
  const token = tokenUrl ?? new URL(ClientCredentials.defaultTokenUrl)
  if (token.hostname.replace(/\.$/, "") !== tokenHost) return Effect.void
  return Effect.logWarning(
    `the account URL ${accountUrl.origin} is loopback but the token URL is Lucca's (${token.href}): ` +
      "to use a local emulator, set LUCCA_TOKEN_URL (the tokenUrl option) to its token URL"
  ).pipe(Effect.annotateLogs({ "lucca.account_url": accountUrl.origin, "lucca.token_url": token.href }))
}
