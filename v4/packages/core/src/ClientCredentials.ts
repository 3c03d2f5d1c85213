/**
 * The OAuth 2.0 client credentials grant against Lucca's global token host: one request,
 * one strictly validated answer. Caching and refresh are `TokenProvider`'s job.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AccessToken from "./AccessToken.js"
import * as Body from "./internal/body.js"
import * as Http from "./internal/http.js"
import * as InternalOptions from "./internal/options.js"
import * as Redact from "./internal/redact.js"
import * as LuccaError from "./LuccaError.js"
import * as LuccaMetrics from "./LuccaMetrics.js"

/**
 * The one token endpoint for every Lucca account.
 *
 * @see https://developers.lucca.fr/ (Get Started With Authentication)
 * @since 0.1.0
 * @category constants
 */
export const defaultTokenUrl: string = Http.defaultTokenUrl

/**
 * How long one token request may take before it fails as a transient `Timeout`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/**
 * The largest token answer read: an access token response is a few hundred bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseBytes = 64 * 1024

/**
 * A client application as declared at `/identity/admin/integration-keys`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** The scopes to request, sent space-delimited (RFC 6749 §3.3). */
  readonly scopes: ReadonlyArray<string>
  /**
   * Defaults to {@link defaultTokenUrl}. Only Lucca's token host (`https`) and loopback
   * hosts (`http` or `https`, for local emulation) are accepted, unless
   * `dangerouslyAllowTokenUrl` is set.
   */
  readonly tokenUrl?: string | URL | undefined
  /**
   * Lets `tokenUrl` name another `https` host. The client secret is sent to that host:
   * set it only for a token endpoint you operate (a proxy, a gateway), never from
   * configuration an attacker may write.
   */
  readonly dangerouslyAllowTokenUrl?: boolean | undefined
  /** The whole request, answer read included. Defaults to {@link defaultTimeout}. */
  readonly timeout?: Duration.Input | undefined
  /** The largest answer read. Defaults to {@link defaultMaxResponseBytes}. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Where the client secret may be sent: `https` to Lucca's token host, or a loopback host
 * (`http` allowed there, for local emulation); any other `https` host only with
 * `dangerouslyAllowTokenUrl`. A trailing dot names the same host and is treated as such.
 * Returns what is wrong, or `undefined`.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkTokenUrl = (
  url: string | URL,
  options?: { readonly dangerouslyAllowTokenUrl?: boolean | undefined }
): string | undefined =>
  Result.match(InternalOptions.checkTokenUrl(url, options), { onFailure: identity, onSuccess: () => undefined })

/**
 * Builds the token request: a form-urlencoded POST with `grant_type=client_credentials`,
 * the client id and secret in the body (as Lucca documents, `client_secret_post`) and the
 * scopes space-delimited.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 * @since 0.1.0
 * @category requests
 */
export const makeRequest = (options: Options): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(options.tokenUrl ?? defaultTokenUrl).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyUrlParams({
      grant_type: "client_credentials",
      client_id: options.clientId,
      client_secret: Redacted.value(options.clientSecret),
      ...(options.scopes.length > 0 ? { scope: options.scopes.join(" ") } : {})
    })
  )

/**
 * Validates the token endpoint's answer strictly: status 200, a JSON object of at most
 * `maxResponseBytes` (64 KiB by default), an RFC 6750 `b64token` `access_token`, a
 * `Bearer` `token_type` (case-insensitive), an `expires_in` between 1 s and 24 h (30
 * minutes when absent). A redirect (3xx, or the opaque redirect of `fetch`) is a
 * permanent `TokenRequestError`: the secret is never re-posted elsewhere. Errors keep what
 * the server said.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category responses
 */
export const processResponse = (
  response: HttpClientResponse.HttpClientResponse,
  options: {
    readonly tokenUrl: string | URL
    readonly requestedScopes: ReadonlyArray<string>
    readonly maxResponseBytes?: number | undefined
  }
): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> =>
  Effect.gen(function*() {
    const tokenUrl = Http.displayUrl(options.tokenUrl)
    const status = response.status
    // fetch with `redirect: "manual"` answers a redirect with an opaque response of status 0
    if (status === 0 || (status >= 300 && status < 400)) {
      return yield* new LuccaError.TokenRequestError({
        reason: "Redirect",
        tokenUrl,
        status,
        transient: false,
        description: "the token URL redirects, and the client secret is never sent on: configure the final URL"
      })
    }
    const text = yield* Effect.mapError(
      Body.readText(response, {
        maxBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
        // the caller's timeout covers the whole request
        timeout: Duration.infinity
      }),
      (error) =>
        new LuccaError.TokenRequestError({
          reason: "Transport",
          tokenUrl,
          status,
          transient: true,
          description: `the response body could not be read${
            error.reason.description === undefined ? "" : `: ${error.reason.description}`
          }`
        })
    )
    const json = Http.parseJson(text)
    const body = json?.value
    if (Http.isRecord(body) && typeof body.error === "string") {
      const now = yield* Clock.currentTimeMillis
      return yield* oauthError(body, status, tokenUrl, Http.retryAfterMillis(response, now))
    }
    if (status !== 200) {
      if (status >= 200 && status < 300) {
        return yield* new LuccaError.InvalidTokenResponse({
          field: "status",
          description: "must be 200",
          status,
          tokenUrl
        })
      }
      const now = yield* Clock.currentTimeMillis
      const retryAfterMillis = Http.retryAfterMillis(response, now)
      return yield* new LuccaError.TokenRequestError({
        reason: "Status",
        tokenUrl,
        status,
        ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }),
        // 5xx, 429 and 408 are transient by nature; any other 4xx without an OAuth error body
        // comes from something in between (a proxy, a gateway), not from the OAuth server.
        transient: status >= 400,
        description: `the server answered without an OAuth error body (Content-Type: ${
          Http.contentType(response) || "none"
        })`
      })
    }
    if (json === undefined) {
      return yield* new LuccaError.TokenRequestError({
        reason: "Decode",
        tokenUrl,
        status,
        transient: true,
        description: `the body is not JSON (Content-Type: ${Http.contentType(response) || "none"})`
      })
    }
    if (!Http.isRecord(body)) {
      return yield* new LuccaError.InvalidTokenResponse({
        field: "body",
        description: "must be a JSON object",
        status,
        tokenUrl
      })
    }
    const decoded = decodeTokenResponse(body)
    if (Result.isFailure(decoded)) {
      const issue = Http.issuesOf(decoded.failure.issue)[0]
      const field = typeof issue?.path[0] === "string" ? issue.path[0] : "body"
      return yield* new LuccaError.InvalidTokenResponse({
        field,
        // fixed descriptions: the schema's own message would quote the offending value
        description: issue?.missing === true ? "is missing" : fieldExpectations[field] ?? "is invalid",
        status,
        tokenUrl
      })
    }
    const now = yield* Clock.currentTimeMillis
    return AccessToken.fromResponse(decoded.success, { now, requestedScopes: options.requestedScopes })
  })

const decodeTokenResponse = Schema.decodeUnknownResult(AccessToken.TokenResponse, { errors: "first" })

const fieldExpectations: Record<string, string> = {
  access_token: "must be an RFC 6750 b64token (letters, digits, - . _ ~ + /, then any =)",
  token_type: "must be \"Bearer\" (compared case-insensitively)",
  expires_in: "must be a number of seconds between 1 and 86400",
  scope: "must be a space-delimited string"
}

const optionalString = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

const oauthError = (
  body: Record<string, unknown>,
  status: number,
  tokenUrl: string,
  retryAfterMillis: number | undefined
) => {
  const errorDescription = optionalString(body.error_description)
  const errorUri = optionalString(body.error_uri)
  return new LuccaError.OAuthError({
    error: body.error as string,
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(errorUri === undefined ? {} : { errorUri }),
    status,
    ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }),
    tokenUrl
  })
}

const outcome = (error: LuccaError.TokenError): string => {
  switch (error._tag) {
    case "OAuthError":
      return "oauth_error"
    case "InvalidTokenResponse":
      return "invalid_response"
    case "TokenRequestError":
      return "request_error"
  }
}

/**
 * Builds the token request function of one client application over the `HttpClient` in
 * context: {@link makeRequest}, then {@link processResponse}, with a timeout, a span and
 * the `lucca_token_requests_total` counter. One attempt per run; retrying and caching
 * belong to `TokenProvider`.
 *
 * The request never follows a redirect (`redirect: "manual"` for `fetch`; the Node
 * clients do not follow them), and it is refused before anything is sent when `tokenUrl`
 * fails {@link checkTokenUrl}.
 *
 * @since 0.1.0
 * @category requests
 */
export const makeRequestToken = (
  options: Options
): Effect.Effect<Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError>, never, HttpClient.HttpClient> =>
  // built per request, not held: a program with thousands of tenant clients keeps none of
  // it between token requests
  Effect.map(HttpClient.HttpClient, (client) => Effect.suspend(() => requestTokenWith(client, options)))

/**
 * One token request over the `HttpClient` in context (see {@link makeRequestToken}).
 *
 * @example
 * ```ts
 * import { ClientCredentials } from "@effect-lucca/core"
 * import { Redacted } from "effect"
 *
 * const token = ClientCredentials.requestToken({
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   scopes: ["employees.readonly"]
 * }) // Effect<AccessToken, TokenError, HttpClient>
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category requests
 */
export const requestToken = (
  options: Options
): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => requestTokenWith(client, options))

const noRedirect = (init: Option.Option<RequestInit>): RequestInit =>
  Option.isSome(init) ? { ...init.value, redirect: "manual" } : { redirect: "manual" }

/**
 * The credentials a request cannot go without, checked before anything is sent: this
 * function is public, and plain JavaScript callers bypass the types. Returns what is
 * missing, or `undefined`. (The layers check more, with a `ConfigError`.)
 */
const checkCredentials = (options: Options): string | undefined => {
  const { clientId, clientSecret, scopes } = options as Partial<Record<keyof Options, unknown>>
  if (typeof clientId !== "string" || clientId.trim() === "") return "clientId must be a non-empty string"
  if (!Redacted.isRedacted(clientSecret)) return "clientSecret must be a Redacted string (Redacted.make(secret))"
  const secret: unknown = Redacted.value(clientSecret)
  if (typeof secret !== "string" || secret === "") return "clientSecret must be a Redacted non-empty string"
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== "string")) {
    return "scopes must be an array of strings, such as [\"employees.readonly\"]"
  }
  return undefined
}

const requestTokenWith = (
  client: HttpClient.HttpClient,
  options: Options
): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> => {
  const tokenUrl = options.tokenUrl ?? defaultTokenUrl
  const shownUrl = Http.displayUrl(tokenUrl)
  const refused = checkTokenUrl(tokenUrl, options)
  const missing = refused === undefined ? checkCredentials(options) : undefined
  if (refused !== undefined || missing !== undefined) {
    return Effect.fail(
      new LuccaError.TokenRequestError({
        reason: "Configuration",
        tokenUrl: shownUrl,
        transient: false,
        description: refused !== undefined
          ? `the token URL ${refused}; the client secret was not sent`
          : `${missing}; nothing was sent`
      })
    )
  }
  const timeout = options.timeout === undefined ? defaultTimeout : Duration.fromInputUnsafe(options.timeout)
  const secrets = Redact.encodings(Redacted.value(options.clientSecret))
  const send = Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) => Effect.provideService(client.execute(makeRequest(options)), FetchHttpClient.RequestInit, noRedirect(init))
  )
  return send.pipe(
    Effect.mapError((error) =>
      new LuccaError.TokenRequestError({
        reason: "Transport",
        tokenUrl: shownUrl,
        transient: true,
        description: transportDescription(error)
      })
    ),
    Effect.flatMap((response) =>
      processResponse(response, {
        tokenUrl,
        requestedScopes: options.scopes,
        maxResponseBytes: options.maxResponseBytes
      })
    ),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new LuccaError.TokenRequestError({
            reason: "Timeout",
            tokenUrl: shownUrl,
            transient: true,
            description: `no complete answer within ${Duration.format(timeout)}`
          })
        )
    }),
    Effect.mapError((error) => scrubSecret(error, secrets)),
    Effect.tapError((error) => countRequest(outcome(error))),
    Effect.tap((token) =>
      Effect.andThen(
        countRequest("success"),
        Effect.annotateCurrentSpan({
          "oauth.granted_scopes": token.scopes.join(" "),
          "oauth.expires_in_seconds": Math.round(Duration.toSeconds(token.lifetime))
        })
      )
    ),
    Effect.withSpan("ClientCredentials.requestToken", {
      kind: "client",
      attributes: {
        "oauth.grant_type": "client_credentials",
        "oauth.token_url": shownUrl,
        "oauth.client_id": options.clientId,
        "oauth.requested_scopes": options.scopes.join(" ")
      }
    })
  )
}

const countRequest = (outcome: string) =>
  Metric.update(Metric.withAttributes(LuccaMetrics.tokenRequests, { outcome }), 1)

/**
 * What a transport failure says: never the cause's message, which may quote the request
 * (the form body holds the secret), only a system error code such as `ECONNREFUSED`.
 */
const transportDescription = (error: HttpClientError.HttpClientError): string => {
  const code = Http.systemErrorCode(error.reason.cause)
  return code === undefined ? "the request could not be sent" : `the request could not be sent (${code})`
}

// A server might echo the request; what it says must not reveal the secret, in any encoding.
const scrubSecret = (error: LuccaError.TokenError, secrets: ReadonlyArray<string>): LuccaError.TokenError => {
  const scrub = (s: string) => Redact.redactAll(s, secrets)
  switch (error._tag) {
    case "OAuthError": {
      const fields = {
        error: scrub(error.error),
        ...(error.errorDescription === undefined ? {} : { errorDescription: scrub(error.errorDescription) }),
        ...(error.errorUri === undefined ? {} : { errorUri: scrub(error.errorUri) })
      }
      if (
        fields.error === error.error && fields.errorDescription === error.errorDescription &&
        fields.errorUri === error.errorUri
      ) return error
      return new LuccaError.OAuthError({
        ...fields,
        status: error.status,
        ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
        tokenUrl: error.tokenUrl
      })
    }
    case "TokenRequestError": {
      const description = scrub(error.description)
      return description === error.description ? error : new LuccaError.TokenRequestError({ ...error, description })
    }
    case "InvalidTokenResponse": {
      const description = scrub(error.description)
      return description === error.description ? error : new LuccaError.InvalidTokenResponse({ ...error, description })
    }
  }
}
