import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import type * as FakeLucca from "../FakeLucca.js"
import * as Scopes from "./scopes.js"
import * as State from "./state.js"

/** RFC 6749 §5.1 / §5.2: token responses must not be cached. */
const noStore = { "cache-control": "no-store", pragma: "no-cache" }

type ErrorCode = "invalid_request" | "invalid_client" | "invalid_scope" | "unsupported_grant_type"

const outcomes: Record<ErrorCode, State.TokenOutcome> = {
  invalid_request: "invalidRequest",
  invalid_client: "invalidClient",
  invalid_scope: "invalidScope",
  unsupported_grant_type: "unsupportedGrantType"
}

interface Rejection {
  readonly error: ErrorCode
  readonly description: string
  readonly status?: number
  readonly headers?: Record<string, string>
}

interface Grant {
  readonly application: FakeLucca.Application
  readonly scopes: ReadonlyArray<string>
}

const reject = (rejection: Rejection): Result.Result<never, Rejection> => Result.fail(rejection)

/**
 * RFC 6749 §2.3.1: with HTTP Basic, the client id and secret are form-urlencoded, then
 * joined with `:` and base64-encoded.
 */
const parseBasic = (header: string): Result.Result<{ readonly id: string; readonly secret: string }, Rejection> => {
  const invalid = reject({
    error: "invalid_client",
    description: "Malformed HTTP Basic client credentials.",
    status: 401,
    headers: { "www-authenticate": "Basic realm=\"Lucca\"" }
  })
  const decoded = Base64.decodeString(header.slice(6).trim())
  if (Result.isFailure(decoded)) return invalid
  const colon = decoded.success.indexOf(":")
  if (colon === -1) return invalid
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "))
    return Result.succeed({
      id: decode(decoded.success.slice(0, colon)),
      secret: decode(decoded.success.slice(colon + 1))
    })
  } catch {
    return invalid
  }
}

const validate = (
  state: State.State,
  method: string,
  contentType: string | undefined,
  authorization: string | undefined,
  body: string
): Effect.Effect<Result.Result<Grant, Rejection>> =>
  Effect.gen(function*() {
    if (method !== "POST") {
      return reject({
        error: "invalid_request",
        description: "The token endpoint only accepts POST.",
        status: 405,
        headers: { allow: "POST, OPTIONS" }
      })
    }
    const mediaType = contentType?.split(";")[0].trim().toLowerCase()
    if (mediaType !== "application/x-www-form-urlencoded") {
      return reject({
        error: "invalid_request",
        description: "The request body must be application/x-www-form-urlencoded."
      })
    }
    const params = new URLSearchParams(body)
    const names = [...params.keys()]
    const repeated = names.find((name, i) => names.indexOf(name) !== i)
    if (repeated !== undefined) {
      // RFC 6749 §3.2: parameters must not be included more than once
      return reject({ error: "invalid_request", description: `Parameter '${repeated}' is repeated.` })
    }
    const grantType = params.get("grant_type")
    if (grantType === null || grantType === "") {
      return reject({ error: "invalid_request", description: "grant_type is required." })
    }
    if (grantType !== "client_credentials") {
      return reject({
        error: "unsupported_grant_type",
        description: `Grant type '${grantType}' is not supported; use client_credentials.`
      })
    }

    let clientId = params.get("client_id") ?? undefined
    let clientSecret = params.get("client_secret") ?? undefined
    const basic = authorization !== undefined && /^basic /i.test(authorization)
    if (basic) {
      if (clientSecret !== undefined) {
        return reject({
          error: "invalid_request",
          description: "Use one client authentication method, not both HTTP Basic and client_secret."
        })
      }
      const credentials = parseBasic(authorization)
      if (Result.isFailure(credentials)) return reject(credentials.failure)
      if (clientId !== undefined && clientId !== credentials.success.id) {
        return reject({ error: "invalid_request", description: "client_id does not match the HTTP Basic user." })
      }
      clientId = credentials.success.id
      clientSecret = credentials.success.secret
    }
    const application = clientId === undefined ? undefined : (yield* Ref.get(state.applications)).get(clientId)
    if (
      application === undefined || clientSecret === undefined ||
      Redacted.value(application.clientSecret) !== clientSecret || application.disabled
    ) {
      return reject({
        error: "invalid_client",
        description: "Client authentication failed.",
        status: 401,
        // RFC 6749 §5.2: a client that tried HTTP Basic is told how to authenticate
        ...(basic ? { headers: { "www-authenticate": "Basic realm=\"Lucca\"" } } : {})
      })
    }

    const scope = params.get("scope")
    const requested = scope === null ? [] : Scopes.parse(scope)
    if (requested.length === 0) {
      return Result.succeed({ application, scopes: application.scopes })
    }
    const granted = new Set(application.scopes)
    const refused = requested.filter((s) => !granted.has(s))
    if (refused.length > 0) {
      return reject({
        error: "invalid_scope",
        description: `The application was not granted: ${refused.join(" ")}.`
      })
    }
    return Result.succeed({ application, scopes: [...new Set(requested)] })
  })

/**
 * `POST /connect/token`: the client credentials grant (RFC 6749 §4.4), answered with
 * RFC 6749 §5.1 / §5.2 bodies.
 *
 * @internal
 */
export const handle = (state: State.State): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = request.method === "POST" ? yield* Effect.orElseSucceed(request.text, () => "") : ""
    const result = yield* validate(
      state,
      request.method,
      request.headers["content-type"],
      request.headers.authorization,
      body
    )
    if (Result.isFailure(result)) {
      const rejection = result.failure
      yield* State.recordToken(state, outcomes[rejection.error])
      yield* Effect.logDebug("token request refused").pipe(Effect.annotateLogs({ error: rejection.error }))
      return HttpServerResponse.jsonUnsafe(
        { error: rejection.error, error_description: rejection.description },
        { status: rejection.status ?? 400, headers: { ...noStore, ...rejection.headers } }
      )
    }
    const { application, scopes } = result.success
    const token = yield* State.issueToken(state, application, scopes)
    yield* State.recordToken(state, "issued")
    // the client id is not a secret; the token and the client secret are never logged
    yield* Effect.logDebug("token issued").pipe(Effect.annotateLogs({ client_id: application.clientId }))
    return HttpServerResponse.jsonUnsafe(
      { access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn },
      { headers: noStore }
    )
  })
