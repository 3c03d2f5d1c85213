import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ClientCredentials from "../ClientCredentials.js"
import * as LuccaScope from "../LuccaScope.js"
import * as Body from "./body.js"
import * as Http from "./http.js"

const tokenHost = "accounts.world.luccasoftware.com"

/** @internal */
export const defaultApiVersion = "2024-11-01"

type Check<A, B = A> = (value: A) => Either.Either<B, string>

// The checks take `unknown`: plain JavaScript callers pass anything, and get a ConfigError
// naming the option rather than a TypeError from deep inside.

/** What a value is, for an error message (never the value: it may be a secret). */
const kind = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

/** @internal */
export const checkClientId: Check<unknown, string> = (clientId) => {
  if (typeof clientId !== "string") return Either.left(`must be a string, got ${kind(clientId)}`)
  return clientId.trim() === "" ? Either.left("must not be empty") : Either.right(clientId.trim())
}

/** @internal */
export const checkClientSecret: Check<unknown, Redacted.Redacted<string>> = (secret) => {
  if (!Redacted.isRedacted(secret)) {
    return Either.left(`must be a Redacted string (Redacted.make(secret)), got ${kind(secret)}`)
  }
  const value: unknown = Redacted.value(secret)
  if (typeof value !== "string") {
    return Either.left(`must be a Redacted string, got Redacted.make(${kind(value)}) (an unset variable?)`)
  }
  if (value.trim() === "") return Either.left("must not be empty or blank")
  // not trimmed: a secret is opaque, and a newline read from a file is a mistake to report
  if (value.trim() !== value) {
    return Either.left("must not start or end with whitespace (a line break read from a file?)")
  }
  return Either.right(secret as Redacted.Redacted<string>)
}

/** @internal */
export const checkScopes: Check<unknown, ReadonlyArray<string>> = (scopes) => {
  // one form only: a string is refused rather than split, so that the type, the docs and
  // every caller agree (LUCCA_SCOPES, a variable, is split by the Config reader)
  if (typeof scopes === "string") {
    return Either.left(
      `must be an array of scopes, such as ${JSON.stringify(LuccaScope.split(scopes))}, not a string`
    )
  }
  if (!Array.isArray(scopes)) {
    return Either.left(`must be an array of scopes, such as ["employees.readonly"], got ${kind(scopes)}`)
  }
  const notStrings = scopes.filter((scope) => typeof scope !== "string")
  if (notStrings.length > 0) {
    return Either.left(`must hold strings only, got ${notStrings.map(kind).join(", ")}`)
  }
  if (scopes.length === 0) {
    return Either.left("must name at least one scope, such as \"employees.readonly\"")
  }
  const problems: Array<string> = []
  for (const scope of scopes as ReadonlyArray<string>) {
    const checked = LuccaScope.validate(scope)
    if (Either.isLeft(checked)) problems.push(checked.left)
  }
  return problems.length === 0
    ? Either.right([...new Set(scopes as ReadonlyArray<string>)])
    : Either.left(problems.join(" "))
}

const checkHttpsUrl = (url: string | URL): Either.Either<URL, string> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(`"${String(url)}" is not an absolute URL`)
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return Either.left("must not contain credentials")
  }
  if (parsed.protocol === "https:") return Either.right(parsed)
  if (parsed.protocol === "http:" && Http.isLoopback(parsed.hostname)) return Either.right(parsed)
  return Either.left(`must use https (plain http is only accepted for loopback hosts), got ${parsed.protocol}//`)
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
  Either.flatMap(checkHttpsUrl(url), (parsed) => {
    const refused = ClientCredentials.checkTokenUrl(parsed, options)
    return refused === undefined ? Either.right(parsed) : Either.left(refused)
  })

/**
 * The account URL is an origin such as `https://example.ilucca.net`: paths are relative to
 * it, and the token is sent nowhere else.
 *
 * @internal
 */
export const checkAccountUrl: Check<string | URL, URL> = (url) =>
  Either.flatMap(checkHttpsUrl(url), (parsed) => {
    if (parsed.hostname.replace(/\.$/, "") === tokenHost) {
      return Either.left(
        `${tokenHost} is the global token host, not an account: use your account's own host, such as https://example.ilucca.net`
      )
    }
    if (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "") {
      return Either.left(`must be an origin without a path, such as ${parsed.origin}`)
    }
    return Either.right(new URL(parsed.origin))
  })

/** @internal */
export const checkApiVersion: Check<string> = (version) => {
  // a real calendar date: `Date.parse` accepts 2024-02-31 (as March 2)
  const date = /^\d{4}-\d{2}-\d{2}$/.test(version) ? new Date(`${version}T00:00:00Z`) : undefined
  return date !== undefined && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === version
    ? Either.right(version)
    : Either.left(`must be a date such as ${defaultApiVersion}, and a real calendar day`)
}

/** @internal */
export const checkCount: Check<number> = (n) =>
  Number.isSafeInteger(n) && n >= 1 ? Either.right(n) : Either.left("must be a whole number of at least 1")

/** @internal */
export const checkDuration = (value: Duration.DurationInput): Either.Either<Duration.Duration, string> =>
  Either.flatMap(
    Either.fromOption(Duration.decodeUnknown(value), () => "must be a duration"),
    (duration) =>
      Duration.lessThan(duration, Duration.zero) ? Either.left("must not be negative") : Either.right(duration)
  )

const checked = <A, B>(check: Check<A, B>): Schema.Schema<B, A> =>
  Schema.transformOrFail(Schema.Any, Schema.Any, {
    strict: true,
    decode: (value, _, ast) => Either.mapLeft(check(value), (message) => new ParseResult.Type(ast, value, message)),
    encode: ParseResult.succeed
  })

const Count = checked(checkCount)
const DurationField = checked(checkDuration)
const Bool = Schema.Boolean.annotations({ message: () => "must be true or false" })

/** `false`, or the options of a feature. */
const orFalse = <A, I>(schema: Schema.Schema<A, I>) => Schema.Union(Schema.Literal(false), schema)

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
  clientId: checked(checkClientId),
  clientSecret: checked(checkClientSecret),
  scopes: checked(checkScopes),
  tokenUrl: Schema.optional(checked(checkHttpsUrl)),
  dangerouslyAllowTokenUrl: Schema.optional(Bool),
  timeout: Schema.optional(DurationField),
  maxResponseBytes: Schema.optional(Count),
  refreshWindow: Schema.optionalWith(DurationField, { default: () => defaults.refreshWindow }),
  hardMargin: Schema.optionalWith(DurationField, { default: () => defaults.hardMargin }),
  tokenRetry: Schema.optionalWith(
    orFalse(Schema.Struct({
      backoff: Schema.optional(Schema.Any),
      budget: Schema.optionalWith(DurationField, { default: () => defaults.tokenRetryBudget })
    })),
    { default: () => ({ budget: defaults.tokenRetryBudget }) }
  )
}).pipe(
  Schema.filter((options) => {
    if (options.tokenUrl !== undefined) {
      const refused = ClientCredentials.checkTokenUrl(options.tokenUrl, options)
      if (refused !== undefined) return { path: ["tokenUrl"], message: refused }
    }
    if (Duration.greaterThan(options.hardMargin, options.refreshWindow)) {
      return { path: ["hardMargin"], message: "must not exceed refreshWindow" }
    }
    return true
  })
)

/**
 * The account side of a client's options (`LuccaClient.ClientOptions`).
 *
 * @internal
 */
export const AccountOptions = Schema.Struct({
  accountUrl: checked(checkAccountUrl),
  apiVersion: Schema.optionalWith(checked(checkApiVersion), { default: () => defaultApiVersion }),
  transformClient: Schema.optional(Schema.Any),
  rateLimit: Schema.optionalWith(
    orFalse(
      Schema.Struct({
        requests: Schema.optionalWith(Count, { default: () => defaults.rateLimit.requests }),
        per: Schema.optionalWith(DurationField, { default: () => defaults.rateLimit.per }),
        burst: Schema.optionalWith(Count, { default: () => defaults.rateLimit.burst })
      }).pipe(
        Schema.filter((limit) =>
          limit.burst < limit.requests || { path: ["burst"], message: "must be below rateLimit.requests" }
        )
      )
    ),
    { default: () => defaults.rateLimit }
  ),
  requestRetry: Schema.optionalWith(
    orFalse(Schema.Struct({
      backoff: Schema.optional(Schema.Any),
      times: Schema.optionalWith(Count, { default: () => defaults.requestRetry.times }),
      maxRetryAfter: Schema.optionalWith(DurationField, { default: () => defaults.requestRetry.maxRetryAfter }),
      nonIdempotent: Schema.optionalWith(Bool, { default: () => false })
    })),
    { default: () => ({ ...defaults.requestRetry, nonIdempotent: false }) }
  ),
  responseBody: Schema.optionalWith(
    Schema.Struct({
      maxBytes: Schema.optionalWith(Count, { default: () => Body.jsonLimits.maxBytes }),
      timeout: Schema.optionalWith(DurationField, { default: () => Body.jsonLimits.timeout })
    }),
    { default: () => Body.jsonLimits }
  )
})

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
 * The same checks for a `Config` value: the error names the configuration key (for example
 * `LUCCA_SCOPES`).
 *
 * @internal
 */
export const config = <A, B>(self: Config.Config<A>, check: Check<A, B>): Config.Config<B> =>
  Config.mapOrFail(self, (value) => Either.mapLeft(check(value), (message) => ConfigError.InvalidData([], message)))

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
