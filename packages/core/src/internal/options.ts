import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as ClientCredentials from "../ClientCredentials.js"
import * as LuccaScope from "../LuccaScope.js"
import * as Http from "./http.js"

const tokenHost = "accounts.world.luccasoftware.com"

/** @internal */
export const defaultApiVersion = "2024-11-01"

type Check<A, B = A> = (value: A) => Either.Either<B, string>

/** @internal */
export const checkClientId: Check<string> = (clientId) =>
  clientId.trim() === "" ? Either.left("must not be empty") : Either.right(clientId.trim())

/** @internal */
export const checkClientSecret: Check<Redacted.Redacted<string>> = (secret) => {
  const value = Redacted.value(secret)
  if (value.trim() === "") return Either.left("must not be empty or blank")
  // not trimmed: a secret is opaque, and a newline read from a file is a mistake to report
  if (value.trim() !== value) {
    return Either.left("must not start or end with whitespace (a line break read from a file?)")
  }
  return Either.right(secret)
}

/** @internal */
export const checkScopes: Check<ReadonlyArray<string>> = (scopes) => {
  if (scopes.length === 0) {
    return Either.left("must name at least one scope, such as \"employees.readonly\"")
  }
  const problems: Array<string> = []
  for (const scope of scopes) {
    const checked = LuccaScope.validate(scope)
    if (Either.isLeft(checked)) problems.push(checked.left)
  }
  return problems.length === 0 ? Either.right([...new Set(scopes)]) : Either.left(problems.join(" "))
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

/** @internal */
export const invalid = (name: string, message: string): Effect.Effect<never, ConfigError.ConfigError> =>
  Effect.fail(ConfigError.InvalidData([name], message))

/**
 * Runs a check on an option and turns its complaint into a `ConfigError` naming it.
 *
 * @internal
 */
export const option = <A, B>(name: string, value: A, check: Check<A, B>): Effect.Effect<B, ConfigError.ConfigError> =>
  Either.match(check(value), {
    onLeft: (message) => invalid(name, message),
    onRight: Effect.succeed
  })

/**
 * The same check for a `Config`: the error names the configuration key (for example
 * `LUCCA_SCOPES`).
 *
 * @internal
 */
export const config = <A, B>(self: Config.Config<A>, check: Check<A, B>): Config.Config<B> =>
  Config.mapOrFail(self, (value) => Either.mapLeft(check(value), (message) => ConfigError.InvalidData([], message)))
