/**
 * The library's typed errors rendered for a person: one line of what went wrong, one line
 * of what to do, details for `--verbose`, and the exit code.
 */
import type { LuccaError } from "@effect-lucca/core"
import * as Cause from "effect/Cause"
import * as CliError from "effect/cli/CliError"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Predicate from "effect/Predicate"
import * as Settings from "./settings.js"

/** The documented exit codes (see the README). */
export const ExitCode = {
  Ok: 0,
  /** A check of `doctor` failed, or the API answered an error. */
  Failed: 1,
  /** The command line is wrong. */
  Usage: 2,
  /** Settings, credentials or scopes: something to fix in the configuration. */
  Configuration: 3,
  /** A host could not be reached, timed out or is temporarily unavailable: try again. */
  Unavailable: 4,
  /** A bug of this command: please report it. */
  Internal: 70,
  /** Interrupted (Ctrl-C). */
  Interrupted: 130
} as const

/** A usage mistake found after parsing (a malformed `--filter`, a path that is not one). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string; readonly fix: string }> {}

/** The command already said what went wrong and ends with this code. */
export class Exit extends Data.TaggedError("Exit")<{ readonly code: number }> {}

/** An error as a person reads it. */
export interface Rendered {
  readonly what: string
  readonly fix: string
  readonly details: ReadonlyArray<string>
  readonly exitCode: number
}

const oauthFixes: Record<string, string> = {
  invalid_client:
    "Check LUCCA_CLIENT_ID and LUCCA_CLIENT_SECRET against the client application at https://{account}/identity/admin/integration-keys (a regenerated secret replaces the old one; a disabled application is refused).",
  invalid_scope:
    "Grant the scopes to the client application at https://{account}/identity/admin/integration-keys, or remove them from LUCCA_SCOPES (--scopes).",
  unauthorized_client: "Allow the client credentials grant for this client application, or use another application.",
  unsupported_grant_type: "The token URL does not accept the client credentials grant: check LUCCA_TOKEN_URL.",
  invalid_request: "The token request was malformed on the way: check LUCCA_TOKEN_URL and any proxy in between."
}

const fieldsOf = (error: object): ReadonlyArray<string> =>
  Object.entries(error)
    .filter(([key, value]) => key !== "stack" && value !== undefined && typeof value !== "function")
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)

/**
 * An `HttpClientError` holds the request (and maybe the response): its details are the
 * reason, the method and URL, not the objects, whose headers carry the token.
 */
const httpDetails = (error: HttpClientError.HttpClientError): ReadonlyArray<string> => [
  `_tag: ${error._tag}`,
  `reason: ${error.reason._tag}`,
  `request: ${error.request.method} ${error.request.url}`,
  ...(error.reason.description === undefined ? [] : [`description: ${error.reason.description}`])
]

const originOf = (error: object): string | undefined => {
  if (!Predicate.hasProperty(error, "url") || typeof error.url !== "string" || !URL.canParse(error.url)) {
    return undefined
  }
  return new URL(error.url).origin
}

const withAccount = (fix: string, accountUrl: string | undefined) =>
  fix.replaceAll("https://{account}", accountUrl ?? "https://{account}")

/** Renders any failure of a command. `accountUrl` fills the links to the account's admin pages. */
export const render = (error: unknown, accountUrl?: string): Rendered => {
  if (error instanceof Config.ConfigError) {
    const problems = Settings.problems(error)
    return {
      what: `Settings: ${problems.map((p) => `${p.setting} ${p.message}`).join("; ")}`,
      fix: `${
        problems.map((p) => Settings.howToSet(p.setting)).filter((s, i, all) => all.indexOf(s) === i).join("; ")
      } (run 'lucca doctor' to check every setting).`,
      details: [],
      exitCode: ExitCode.Configuration
    }
  }
  if (CliError.isCliError(error)) {
    return { what: "Invalid command line.", fix: "Run 'lucca --help'.", details: [], exitCode: ExitCode.Usage }
  }
  if (!Predicate.hasProperty(error, "_tag") || typeof error._tag !== "string") {
    return {
      what: `Unexpected failure: ${String(error)}`,
      fix: "This is a bug of lucca; please report it with the output of --verbose.",
      details: [],
      exitCode: ExitCode.Internal
    }
  }
  const details = HttpClientError.isHttpClientError(error) ? httpDetails(error) : fieldsOf(error)
  const account = accountUrl ?? originOf(error)
  const e = error as LuccaError.LuccaError | { readonly _tag: string }
  switch (e._tag) {
    case "UsageError": {
      const usage = e as UsageError
      return { what: usage.message, fix: usage.fix, details: [], exitCode: ExitCode.Usage }
    }
    case "OAuthError": {
      const oauth = e as LuccaError.OAuthError
      const description = oauth.errorDescription === undefined ? "" : `: ${oauth.errorDescription.replace(/\.$/, "")}`
      return {
        what: `The token endpoint refused the credentials with ${oauth.error} (HTTP ${oauth.status})${description}.`,
        fix: oauth.transient
          ? "The token host is temporarily unavailable: try again in a moment."
          : withAccount(oauthFixes[oauth.error] ?? "Check the client application's settings.", account),
        details,
        exitCode: oauth.transient ? ExitCode.Unavailable : ExitCode.Configuration
      }
    }
    case "TokenRequestError": {
      const failure = e as LuccaError.TokenRequestError
      const unreachable = failure.reason === "Transport" || failure.reason === "Timeout"
      return {
        what: unreachable
          ? `Could not reach the token endpoint ${failure.tokenUrl} (${failure.reason.toLowerCase()}): ${failure.description}`
          : `The token request to ${failure.tokenUrl} failed (${failure.reason}${
            failure.status === undefined ? "" : ` ${failure.status}`
          }): ${failure.description}`,
        fix: failure.reason === "Configuration"
          ? "Fix LUCCA_TOKEN_URL (--token-url): Lucca's token host, or a loopback emulator."
          : failure.transient
          ? "Check the network and LUCCA_TOKEN_URL (--token-url), then try again."
          : "Check LUCCA_TOKEN_URL (--token-url): it does not answer as an OAuth 2.0 token endpoint.",
        details,
        exitCode: failure.transient ? ExitCode.Unavailable : ExitCode.Configuration
      }
    }
    case "InvalidTokenResponse": {
      const invalid = e as LuccaError.InvalidTokenResponse
      return {
        what:
          `The token endpoint ${invalid.tokenUrl} answered an invalid token: ${invalid.field} ${invalid.description}.`,
        fix: "Check LUCCA_TOKEN_URL (--token-url): it should be Lucca's token endpoint.",
        details,
        exitCode: ExitCode.Configuration
      }
    }
    case "Unauthorized": {
      const refused = e as LuccaError.Unauthorized
      return {
        what: `${refused.method} ${refused.url} was refused with 401 Unauthorized${
          refused.retried ? ", even with a fresh token" : ""
        }.`,
        fix: withAccount(
          "The client application may be disabled or its secret regenerated: check it at https://{account}/identity/admin/integration-keys.",
          account
        ),
        details,
        exitCode: ExitCode.Configuration
      }
    }
    case "Forbidden": {
      const forbidden = e as LuccaError.Forbidden
      const granted = forbidden.grantedScopes.length === 0 ? "no scope" : forbidden.grantedScopes.join(" ")
      const needed = forbidden.suggestedScope ?? "the scope this endpoint needs"
      return {
        what:
          `${forbidden.method} ${forbidden.url} was refused with 403 Forbidden: the token was granted ${granted}, which lacks ${needed}.`,
        fix: withAccount(
          `Grant ${needed} to the client application at https://{account}/identity/admin/integration-keys, then add it to LUCCA_SCOPES (--scopes).`,
          account
        ),
        details,
        exitCode: ExitCode.Configuration
      }
    }
    case "ApiError": {
      const api = e as LuccaError.ApiError
      const transient = [408, 429, 500, 502, 503, 504].includes(api.status)
      return {
        what: api.message,
        fix: api.status === 404
          ? "Check the path: it should be a resource of the account API, such as /lucca-api/employees."
          : api.status === 400 || api.status === 422
          ? "Check the query parameters and filters against Lucca's API reference."
          : transient
          ? `The account is busy or unavailable: try again${
            api.retryAfterMillis === undefined ? " later" : ` in ${Math.ceil(api.retryAfterMillis / 1000)} s`
          }.`
          : "See Lucca's API reference for this status.",
        details,
        exitCode: transient ? ExitCode.Unavailable : ExitCode.Failed
      }
    }
    case "ResponseDecodeError": {
      const decode = e as LuccaError.ResponseDecodeError
      // a body that stopped arriving (the read timed out, the connection dropped) is not a
      // wrong answer: the README documents 4, try again
      const cut = decode.path === "" && /^the body could not be read: (?!the body is larger)/.test(decode.description)
      return {
        what: decode.message,
        fix: cut
          ? "The answer stopped arriving (a timeout or a dropped connection): try again, then check the network and LUCCA_ACCOUNT_URL (--account-url)."
          : "Check LUCCA_ACCOUNT_URL (--account-url) and the path: the answer is not what Lucca's API sends.",
        details,
        exitCode: cut ? ExitCode.Unavailable : ExitCode.Failed
      }
    }
    case "TraceFileError":
      return {
        what: (e as unknown as { readonly message: string }).message,
        fix: "Give --trace the path of a regular file (not a symbolic link) in a folder you can write to.",
        details,
        exitCode: ExitCode.Usage
      }
    case "ForeignOriginError":
      return {
        what: (e as LuccaError.ForeignOriginError).message,
        fix: "Give a path such as /lucca-api/employees, or a URL on the account origin.",
        details,
        exitCode: ExitCode.Usage
      }
    case "HttpClientError": {
      const platform = e as HttpClientError.HttpClientError
      return {
        what: `Could not reach the account API: ${platform.message}`,
        fix: "Check LUCCA_ACCOUNT_URL (--account-url) and the network, then try again.",
        details,
        exitCode: ExitCode.Unavailable
      }
    }
    default:
      return {
        what: `Unexpected failure (${e._tag}).`,
        fix: "This is a bug of lucca; please report it with the output of --verbose.",
        details,
        exitCode: ExitCode.Internal
      }
  }
}

/** Renders the cause of a failed command: its failure, or a defect. */
export const renderCause = (cause: Cause.Cause<unknown>, accountUrl?: string): Rendered => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "Some") return render(failure.value, accountUrl)
  return {
    what: "Unexpected failure inside lucca.",
    fix: "This is a bug of lucca; please report it with the output of --verbose.",
    details: Cause.pretty(cause).split("\n"),
    exitCode: ExitCode.Internal
  }
}

/**
 * Every character a terminal may act on (C0 but the tab, DEL, C1) and every line break
 * (`\n`, `\r`, U+2028, U+2029): a server's text must not clear the screen, retitle the
 * window or forge a `fix:` line of its own.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controls = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g

const escapes: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/** `text` on one line, its control characters written as escapes (`\x1b`, `\n`, `\u2028`). */
export const printable = (text: string): string =>
  text.replace(
    controls,
    (c) =>
      escapes[c] ??
        (c.charCodeAt(0) <= 0xff
          ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  )

/**
 * A value as JSON for standard output: `JSON.stringify` escapes C0 controls in strings but
 * leaves DEL, C1 controls and U+2028/U+2029 raw; they are escaped too (`\u009b`), which
 * is still the same JSON.
 */
export const json = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(
    /[\x7f-\x9f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )

/** The lines written to standard error, each made {@link printable}: the texts hold the server's. */
export const lines = (rendered: Rendered, verbose: boolean): ReadonlyArray<string> => [
  `error: ${printable(rendered.what)}`,
  `  fix: ${printable(rendered.fix)}`,
  ...(verbose ? rendered.details.map((line) => `    ${printable(line)}`) : [])
]
