/**
 * The OAuth 2.0 client credentials grant against Lucca's global token host: one request,
 * one strictly validated answer. Caching and refresh are `TokenProvider`'s job.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "./AccessToken.js"
import * as Http from "./internal/http.js"
import * as LuccaError from "./LuccaError.js"
import * as LuccaMetrics from "./LuccaMetrics.js"

/**
 * The one token endpoint for every Lucca account.
 *
 * @see https://developers.lucca.fr/ (Get Started With Authentication)
 * @since 0.1.0
 * @category constants
 */
export const defaultTokenUrl = "https://accounts.world.luccasoftware.com/connect/token"

/**
 * How long one token request may take before it fails as a transient `Timeout`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

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
  /** Defaults to {@link defaultTokenUrl}. */
  readonly tokenUrl?: string | URL | undefined
  /** Defaults to {@link defaultTimeout}. */
  readonly timeout?: Duration.DurationInput | undefined
}

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
 * Validates the token endpoint's answer strictly: status 200, a JSON object, a non-empty
 * string `access_token`, a `Bearer` `token_type` (case-insensitive), a non-negative
 * `expires_in` (30 minutes when absent). Errors keep everything the server said.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category responses
 */
export const processResponse = (
  response: HttpClientResponse.HttpClientResponse,
  options: { readonly tokenUrl: string | URL; readonly requestedScopes: ReadonlyArray<string> }
): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError> =>
  Effect.gen(function*() {
    const tokenUrl = Http.displayUrl(options.tokenUrl)
    const status = response.status
    const text = yield* Effect.mapError(response.text, () =>
      new LuccaError.TokenRequestError({
        reason: "Transport",
        tokenUrl,
        status,
        transient: true,
        description: "the response body could not be read"
      }))
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
        description: status >= 300 && status < 400
          ? "the token URL redirects; configure the final URL"
          : `the server answered without an OAuth error body (Content-Type: ${Http.contentType(response) || "none"})`
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
    if (Either.isLeft(decoded)) {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
      const field = typeof issue?.path[0] === "string" ? issue.path[0] : "body"
      return yield* new LuccaError.InvalidTokenResponse({
        field,
        // fixed descriptions: the schema's own message would quote the offending value
        description: issue?._tag === "Missing" ? "is missing" : fieldExpectations[field] ?? "is invalid",
        status,
        tokenUrl
      })
    }
    const now = yield* Clock.currentTimeMillis
    return AccessToken.fromResponse(decoded.right, { now, requestedScopes: options.requestedScopes })
  })

const decodeTokenResponse = Schema.decodeUnknownEither(AccessToken.TokenResponse, { errors: "first" })

const fieldExpectations: Record<string, string> = {
  access_token: "must be a non-empty string",
  token_type: "must be \"Bearer\" (compared case-insensitively)",
  expires_in: "must be a non-negative number of seconds",
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
 * Requests a token: {@link makeRequest}, then {@link processResponse}, with a timeout, a
 * span and the `lucca_token_requests_total` counter. One attempt; retrying and caching
 * belong to `TokenProvider`.
 *
 * @since 0.1.0
 * @category requests
 */
export const requestToken = (
  options: Options
): Effect.Effect<AccessToken.AccessToken, LuccaError.TokenError, HttpClient.HttpClient> => {
  const tokenUrl = options.tokenUrl ?? defaultTokenUrl
  const shownUrl = Http.displayUrl(tokenUrl)
  const timeout = options.timeout ?? defaultTimeout
  return HttpClient.HttpClient.pipe(
    Effect.flatMap((client) => client.execute(makeRequest(options))),
    Effect.mapError((error) =>
      new LuccaError.TokenRequestError({
        reason: "Transport",
        tokenUrl: shownUrl,
        transient: true,
        description: transportDescription(error)
      })
    ),
    Effect.flatMap((response) => processResponse(response, { tokenUrl, requestedScopes: options.scopes })),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new LuccaError.TokenRequestError({
          reason: "Timeout",
          tokenUrl: shownUrl,
          transient: true,
          description: `no complete answer within ${Duration.format(timeout)}`
        })
    }),
    Effect.mapError((error) => scrubSecret(error, options.clientSecret)),
    Effect.tapBoth({
      onFailure: (error) => Metric.increment(Metric.tagged(LuccaMetrics.tokenRequests, "outcome", outcome(error))),
      onSuccess: (token) =>
        Effect.zipRight(
          Metric.increment(Metric.tagged(LuccaMetrics.tokenRequests, "outcome", "success")),
          Effect.annotateCurrentSpan({
            "oauth.granted_scopes": token.scopes.join(" "),
            "oauth.expires_in_seconds": Math.round(Duration.toSeconds(token.lifetime))
          })
        )
    }),
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

const transportDescription = (error: { readonly message: string; readonly cause?: unknown }): string => {
  const cause = error.cause instanceof Error ? error.cause : undefined
  // undici wraps the socket error ("ECONNREFUSED ...") in the cause of its "fetch failed"
  const inner = cause?.cause instanceof Error ? cause.cause.message : undefined
  return [cause?.message, inner].filter((m) => m !== undefined && m !== "").join(": ") ||
    "the request could not be sent"
}

// A server might echo the request; what it says must not reveal the secret.
const scrubSecret = (error: LuccaError.TokenError, secret: Redacted.Redacted<string>): LuccaError.TokenError => {
  if (error._tag !== "OAuthError") return error
  const value = Redacted.value(secret)
  const scrub = (s: string | undefined) => s === undefined || value === "" ? s : s.split(value).join("<redacted>")
  const errorDescription = scrub(error.errorDescription)
  const errorUri = scrub(error.errorUri)
  if (errorDescription === error.errorDescription && errorUri === error.errorUri) return error
  return new LuccaError.OAuthError({
    error: error.error,
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(errorUri === undefined ? {} : { errorUri }),
    status: error.status,
    ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
    tokenUrl: error.tokenUrl
  })
}
