/**
 * The typed errors of the Lucca client. None of them ever holds the client secret or a
 * token: they carry only what the server said and where the request went.
 *
 * @example
 * ```ts
 * import { LuccaClient, LuccaError } from "@effect-lucca/core"
 * import { Effect, Schema } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String, givenName: Schema.String })
 *
 * // each failure is a class with a `_tag`: catch the ones the program can act on
 * const employee = LuccaClient.get("/lucca-api/employees/1001", Employee).pipe(
 *   Effect.catchTags({
 *     // the operation's scopes, those the token holds, and where to grant one
 *     Forbidden: (error) => Effect.logError(error.message).pipe(Effect.as(undefined)),
 *     ApiError: (error) => error.status === 404 ? Effect.succeed(undefined) : Effect.fail(error)
 *   }),
 *   // retry what may succeed later (a token host that was down, a 503...), nothing else
 *   Effect.retry({ times: 2, while: LuccaError.isTransient })
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClientError from "effect/http/HttpClientError"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Http from "./internal/http.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-lucca/core/LuccaError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * @since 0.1.0
 * @category guards
 */
export const isLuccaError = (u: unknown): u is LuccaError => Predicate.hasProperty(u, TypeId)

/**
 * The statuses after which trying again later may succeed: 408 (Lucca gives up after 5 s),
 * 429 (rate limit), 500, 503, and the 502 and 504 of a gateway in between; the same set as
 * `HttpClient.retryTransient`. 500 is in it: Lucca answers it for failures of its own
 * (a dependency down, a deadlock) that a second attempt usually gets past, and a request
 * is only repeated when its method allows (see `LuccaRetry`), so a 500 that a request
 * will always cause costs a few retries, never a second write. The one set of the
 * package: the request retries, the token retries and {@link isTransient} read it.
 *
 * @since 0.1.0
 * @category constants
 */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * The token endpoint could not be reached, or answered something that is not an OAuth 2.0
 * answer at all: a 5xx, a 429, a page from a proxy, a body that is not JSON.
 *
 * `transient` says whether trying again later may succeed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenRequestError extends Schema.TaggedError<TokenRequestError>("@effect-lucca/core/TokenRequestError")(
  "TokenRequestError",
  {
    reason: Schema.Literals(["Transport", "Timeout", "Status", "Decode", "Redirect", "Configuration"]),
    tokenUrl: Schema.String,
    status: Schema.optional(Schema.Number),
    retryAfterMillis: Schema.optional(Schema.Number),
    transient: Schema.Boolean,
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const status = this.status === undefined ? "" : ` ${this.status}`
    return `Token request to ${this.tokenUrl} failed (${this.reason}${status}, ${
      this.transient ? "transient" : "permanent"
    }): ${this.description}`
  }
}

/**
 * The token endpoint refused the request with an RFC 6749 §5.2 error body.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category errors
 */
export class OAuthError extends Schema.TaggedError<OAuthError>("@effect-lucca/core/OAuthError")("OAuthError", {
  error: Schema.String,
  errorDescription: Schema.optional(Schema.String),
  errorUri: Schema.optional(Schema.String),
  status: Schema.Number,
  retryAfterMillis: Schema.optional(Schema.Number),
  tokenUrl: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Whether trying again later may succeed. The RFC 6749 token endpoint codes are all
   * permanent; `temporarily_unavailable` and `server_error` are borrowed by some servers
   * from the authorization endpoint and mean "later", and so does a status of
   * {@link transientStatuses} (a 429, a 503), whatever the body says.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return this.error === "temporarily_unavailable" || this.error === "server_error" ||
      transientStatuses.has(this.status)
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const description = this.errorDescription === undefined ? "" : `: ${this.errorDescription}`
    // the server's description may end its own sentence
    const stop = /[.!?]$/.test(description) ? "" : "."
    return `The token endpoint ${this.tokenUrl} refused the request with ${this.error} (HTTP ${this.status})${description}${stop}${
      oauthHints[this.error] ?? ""
    }`
  }
}

const oauthHints: Record<string, string> = {
  invalid_client:
    " Check the client id and secret of the client application (a regenerated secret invalidates the old one, and a disabled application is refused).",
  invalid_scope:
    " A requested scope was not granted to the client application: grant it at /identity/admin/integration-keys or stop requesting it.",
  unauthorized_client: " The client application may not use the client credentials grant.",
  unsupported_grant_type: " The server does not accept the client credentials grant here: check the token URL.",
  invalid_request: " The token request was malformed: check the token URL and that nothing rewrites the form body."
}

/**
 * The token endpoint answered 200 with a body that is not a valid RFC 6749 §5.1 access
 * token response. `field` names what was wrong (`body`, `access_token`, `token_type`,
 * `expires_in`, `scope` or `status`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category errors
 */
export class InvalidTokenResponse
  extends Schema.TaggedError<InvalidTokenResponse>("@effect-lucca/core/InvalidTokenResponse")("InvalidTokenResponse", {
    field: Schema.String,
    description: Schema.String,
    status: Schema.Number,
    tokenUrl: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Never: the token endpoint answered, and would answer the same again.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return false
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid token response from ${this.tokenUrl} (HTTP ${this.status}): ${this.field} ${this.description}`
  }
}

/**
 * Everything getting a token can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenError = TokenRequestError | OAuthError | InvalidTokenResponse

/**
 * The account API refused the token with 401 even after one retry with another token, or
 * the request was not retried: its body cannot be sent twice (a stream), or the provider
 * had no token but the refused one (`notRetried`).
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@effect-lucca/core/Unauthorized")("Unauthorized", {
  method: Schema.String,
  url: Schema.String,
  retried: Schema.Boolean,
  /**
   * Why a request was not retried: `OneShotBody` (its body cannot be sent twice) or
   * `SameToken` (the provider gave the refused token again, as a static provider does).
   * Absent when `retried` is true.
   *
   * @since 0.1.0
   */
  notRetried: Schema.optional(Schema.Literals(["OneShotBody", "SameToken"])),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Never: the refused request was already retried with another token, or could not be.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return false
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    if (this.retried) {
      return `${this.method} ${this.url} was refused with 401 Unauthorized twice, the second time with another token${detail}. The client application may be disabled or its secret regenerated.`
    }
    return this.notRetried === "SameToken"
      ? `${this.method} ${this.url} was refused with 401 Unauthorized${detail} and was not retried because the token provider had no token but the refused one.`
      : `${this.method} ${this.url} was refused with 401 Unauthorized${detail} and was not retried because its body is a stream that cannot be sent twice.`
  }
}

/**
 * The account API answered 403: the token lacks an OAuth scope the operation accepts.
 * Lucca's answer does not name the scope; `acceptedScopes` is the operation's `security`
 * in Lucca's OpenAPI description (any one of them is enough), absent for a path the
 * description does not have; `suggestedScope` is the first of them, or a guess from the
 * path and the method for such a path.
 *
 * @see https://developers.lucca.fr/ (Authentication: scopes)
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@effect-lucca/core/Forbidden")("Forbidden", {
  method: Schema.String,
  url: Schema.String,
  grantedScopes: Schema.Array(Schema.String),
  acceptedScopes: Schema.optional(Schema.Array(Schema.String)),
  suggestedScope: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Never: a missing scope is granted by an administrator, not by waiting.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return false
  }

  /**
   * The accepted scopes the token was granted: empty when the application lacks every
   * scope the operation accepts, the usual cause of a 403.
   *
   * @since 0.1.0
   */
  get grantedAcceptedScopes(): ReadonlyArray<string> {
    return (this.acceptedScopes ?? []).filter((scope) => this.grantedScopes.includes(scope))
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const server = this.detail ?? this.title
    const granted = this.grantedScopes.length === 0 ? "no scope" : this.grantedScopes.join(" ")
    let origin = "your Lucca account"
    try {
      origin = new URL(this.url).origin
    } catch {
      // a relative URL: keep the generic wording
    }
    const refused = `${this.method} ${this.url} was refused with 403 Forbidden${
      server === undefined ? "" : ` (${server})`
    }`
    const grant = (scope: string) =>
      `Grant ${scope} to the client application at ${origin}/identity/admin/integration-keys, then add it to the requested scopes.`
    if (this.acceptedScopes !== undefined && this.acceptedScopes.length > 0) {
      const held = this.grantedAcceptedScopes
      if (held.length > 0) {
        // the scope is there: Lucca refused for another reason
        return `${refused}, although the token holds ${
          held.join(" ")
        }, which this operation accepts: check the establishments and legal entities the client application may see, and the rights of its API user at ${origin}/identity/admin/integration-keys.`
      }
      const scope = this.acceptedScopes.length === 1
        ? this.acceptedScopes[0]
        : `one of them, such as ${this.suggestedScope ?? this.acceptedScopes[0]},`
      return `${refused}: this operation accepts ${
        this.acceptedScopes.join(" or ")
      }, and the token was granted ${granted}, which has none of them. ${grant(scope)}`
    }
    if (this.suggestedScope === undefined) {
      return `${refused}: the token was granted ${granted}, which lacks the scope this endpoint needs. ${
        grant("the scope of this endpoint (see its page in Lucca's API reference)")
      }`
    }
    return `${refused}: the token was granted ${granted}, which lacks the scope this endpoint needs (probably ${this.suggestedScope}). ${
      grant(this.suggestedScope)
    }`
  }
}

/**
 * The account API answered an error status other than 401 and 403. The fields are those
 * of its `application/problem+json` body (RFC 7807) when there is one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7807
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("@effect-lucca/core/ApiError")("ApiError", {
  method: Schema.String,
  url: Schema.String,
  status: Schema.Number,
  type: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  instance: Schema.optional(Schema.String),
  errors: Schema.optional(Schema.Record(Schema.String, Schema.Array(Schema.String))),
  traceId: Schema.optional(Schema.String),
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Whether trying again later may succeed: its status is one of {@link transientStatuses}.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return transientStatuses.has(this.status)
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const what = [this.title, this.detail].filter((s) => s !== undefined).join(": ")
    const fields = this.errors === undefined
      ? ""
      : ` ${Object.entries(this.errors).map(([field, messages]) => `${field}: ${messages.join(", ")}`).join("; ")}`
    // one line: the problem's texts are the server's, and a message is printed in logs and terminals
    return `${this.method} ${this.url} failed with HTTP ${this.status}${what === "" ? "" : ` (${what})`}${fields}`
      .replace(/[\r\n\u0085\u2028\u2029]+/g, " ")
  }
}

/**
 * A successful response whose body does not match the expected schema. `path` names where
 * in the body (`items[3].id`), empty for the body itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError
  extends Schema.TaggedError<ResponseDecodeError>("@effect-lucca/core/ResponseDecodeError")("ResponseDecodeError", {
    method: Schema.String,
    url: Schema.String,
    status: Schema.Number,
    path: Schema.String,
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Never: the same request would get the same body.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return false
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const where = this.path === "" ? "the body" : `body.${this.path}`
    return `Unexpected response to ${this.method} ${this.url} (HTTP ${this.status}): ${where}: ${this.description}`
  }
}

/**
 * A request through the Lucca client named an absolute URL on another origin than the
 * account's. The token is only ever sent to the account origin, so the request is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class ForeignOriginError
  extends Schema.TaggedError<ForeignOriginError>("@effect-lucca/core/ForeignOriginError")("ForeignOriginError", {
    method: Schema.String,
    url: Schema.String,
    accountOrigin: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Never: the request names another origin, and always will.
   *
   * @since 0.1.0
   */
  get transient(): boolean {
    return false
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Refusing to send the Lucca access token with ${this.method} ${this.url}: only ${this.accountOrigin} receives it. Use a path such as /lucca-api/employees, or another HTTP client for other hosts.`
  }
}

/**
 * What authenticating a request can fail with (see `TokenProvider.authenticate`): getting
 * a token, a 401 after the retry with a fresh token, a 403, or a URL on another origin.
 *
 * @since 0.1.0
 * @category errors
 */
export type AuthenticationError = TokenError | Unauthorized | Forbidden | ForeignOriginError

/**
 * The one way to ask whether trying again later may succeed, for every error of this
 * package (its `transient`) and Effect's `HttpClientError`: one whose `reason` is a
 * `TransportError`, or a `StatusCodeError` whose status is one of
 * {@link transientStatuses}. Everything else (a refused secret, a missing scope, a body
 * that does not match) is permanent. The token retries and the request retries of the
 * client ask it too.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: unknown): boolean => {
  if (isLuccaError(error)) return error.transient
  if (!HttpClientError.isHttpClientError(error)) return false
  const reason = error.reason
  return reason._tag === "TransportError" ||
    (reason._tag === "StatusCodeError" && transientStatuses.has(reason.response.status))
}

/**
 * Every error of this package.
 *
 * @since 0.1.0
 * @category errors
 */
export type LuccaError =
  | TokenRequestError
  | OAuthError
  | InvalidTokenResponse
  | Unauthorized
  | Forbidden
  | ApiError
  | ResponseDecodeError
  | ForeignOriginError

/**
 * A URL as the errors of this package show it: origin and path, without credentials,
 * query or fragment (a cursor or a filter may be personal data).
 *
 * @example
 * ```ts
 * import { LuccaError } from "@effect-lucca/core"
 *
 * LuccaError.displayUrl("https://example.ilucca.net/lucca-api/employees?cursor=abc")
 * // "https://example.ilucca.net/lucca-api/employees"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const displayUrl: (url: string | URL) => string = Http.displayUrl

/**
 * The first issue of a `SchemaError` as the errors of this package report it: `path` such
 * as `items[3].id` (`""` at the root) and the schema's message (`"is missing"` for a missing
 * field), the fields of a {@link ResponseDecodeError}. (The name is the Effect 3 line's,
 * whose schemas fail with a `ParseError`.)
 *
 * @example
 * ```ts
 * import { LuccaError } from "@effect-lucca/core"
 * import { Effect, Schema } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * const decoded = Schema.decodeUnknownEffect(Employee)({}).pipe(
 *   Effect.mapError((error) => {
 *     const { message, path } = LuccaError.describeParseError(error) // "id", "is missing"
 *     return new LuccaError.ResponseDecodeError({ method: "GET", url: "", status: 200, path, description: message })
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const describeParseError: (
  error: Schema.SchemaError
) => { readonly path: string; readonly message: string } = Http.describeParseError

/**
 * The system error code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, ...) of a transport
 * failure's cause, or of the cause's cause: the only part of a cause the errors of this
 * package quote, since its message may quote the request (and the request its token).
 *
 * @since 0.1.0
 * @category utils
 */
export const systemErrorCode: (cause: unknown) => string | undefined = Http.systemErrorCode
