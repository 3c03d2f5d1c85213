import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AccessToken from "../AccessToken.js"
import * as LuccaError from "../LuccaError.js"
import * as LuccaMetrics from "../LuccaMetrics.js"
import * as LuccaScope from "../LuccaScope.js"
import type * as TokenProvider from "../TokenProvider.js"
import * as Body from "./body.js"
import * as Http from "./http.js"
import * as Problem from "./problem.js"

/** @internal */
export type AuthenticationError =
  | LuccaError.TokenError
  | LuccaError.Unauthorized
  | LuccaError.Forbidden
  | LuccaError.ForeignOriginError

/**
 * Whether `url` is on `origin`. A URL the resolver wrote (`origin` + "/" + path) is
 * recognised by its prefix, which the WHATWG parser cannot read differently: once the
 * host is ended by "/", nothing after it changes the origin. Anything else is parsed.
 *
 * @internal
 */
export const isOnOrigin = (url: string, origin: string): boolean => {
  if (url.length > origin.length && url.charCodeAt(origin.length) === 47 && url.startsWith(origin)) return true
  if (!URL.canParse(url)) return false
  return new URL(url).origin === origin
}

const tokenless = Symbol.for("@effect-lucca/core/internal/authenticate/tokenless")

interface Tokenless {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly original: HttpClientResponse.HttpClientResponse
  readonly redact: (text: string) => string
}
type Copy = HttpClientResponse.HttpClientResponse & { readonly [tokenless]: Tokenless }

const strip = <A>(copy: Copy, effect: Effect.Effect<A, HttpClientError.HttpClientError>) =>
  Effect.mapError(effect, (error) => errorWithoutToken(error, copy[tokenless].request, copy[tokenless].redact))

const overrides: PropertyDescriptorMap = {
  request: {
    get(this: Copy) {
      return this[tokenless].request
    },
    enumerable: true
  },
  json: {
    get(this: Copy) {
      return strip(this, this[tokenless].original.json)
    }
  },
  text: {
    get(this: Copy) {
      return strip(this, this[tokenless].original.text)
    }
  },
  urlParamsBody: {
    get(this: Copy) {
      return strip(this, this[tokenless].original.urlParamsBody)
    }
  },
  formData: {
    get(this: Copy) {
      return strip(this, this[tokenless].original.formData)
    }
  },
  arrayBuffer: {
    get(this: Copy) {
      return strip(this, this[tokenless].original.arrayBuffer)
    }
  },
  stream: {
    get(this: Copy) {
      const { original, redact, request } = this[tokenless]
      return Stream.mapError(original.stream, (error) => errorWithoutToken(error, request, redact))
    }
  }
}
// one overlay per response class: the overridden getters in front of the class's prototype
const overlays = new WeakMap<object, object>()
const overlayOf = (proto: object) => {
  let overlay = overlays.get(proto)
  if (overlay === undefined) {
    overlay = Object.create(proto, overrides) as object
    overlays.set(proto, overlay)
  }
  return overlay
}

/**
 * A response handed to the caller: the one received, but whose `request` (and the
 * `request` of the errors its body reads fail with) is the request before the token was
 * added, so that logging or serializing it never shows the token.
 *
 * Built by delegation rather than as a class implementing the interface: every member of
 * the response, including those a later Effect minor adds (4.1 added `upgrade`), stays the
 * original's, read with `this` being the copy. The copy holds the original's own fields
 * over one overlay per response class (the overridden members in front of the class's
 * prototype), so a response costs one object, not a prototype and seven closures.
 */
const withoutToken = (
  original: HttpClientResponse.HttpClientResponse,
  request: HttpClientRequest.HttpClientRequest,
  redact: (text: string) => string
): HttpClientResponse.HttpClientResponse => {
  const copy = Object.create(overlayOf(Object.getPrototypeOf(original)))
  // the original's own fields (its source, cached values), shared by reference
  for (const key of Reflect.ownKeys(original)) if (key !== "request") copy[key] = (original as any)[key]
  copy[tokenless] = { request, original, redact }
  return copy
}

/**
 * The cause of a transport failure may quote the request (fetch's "invalid header value"
 * quotes the header, token included): its messages go through `redact`.
 *
 * @internal
 */
export const scrubCause = (cause: unknown, redact: (text: string) => string, depth = 0): unknown => {
  if (!(cause instanceof Error)) return cause
  const message = redact(cause.message)
  const inner = depth < 2 && cause.cause !== undefined ? scrubCause(cause.cause, redact, depth + 1) : cause.cause
  const stack = cause.stack === undefined ? undefined : redact(cause.stack)
  if (message === cause.message && inner === cause.cause && stack === cause.stack) return cause
  const copy = new Error(message, inner === undefined ? undefined : { cause: inner })
  copy.name = cause.name
  if ("code" in cause && typeof cause.code === "string") Object.assign(copy, { code: cause.code })
  if (stack !== undefined) copy.stack = stack
  return copy
}

/**
 * The same error, whose `reason` carries the request before the token was added, a
 * response that does too, and texts that went through `redact`.
 *
 * @internal
 */
export const errorWithoutToken = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest,
  redact: (text: string) => string
): HttpClientError.HttpClientError => {
  const reason = error.reason
  const cause = reason.cause === undefined ? undefined : scrubCause(reason.cause, redact)
  const details = {
    request,
    ...(cause === undefined ? {} : { cause }),
    ...(reason.description === undefined ? {} : { description: redact(reason.description) })
  }
  const response = (original: HttpClientResponse.HttpClientResponse) =>
    (original as any)[tokenless] !== undefined ? original : withoutToken(original, request, redact)
  switch (reason._tag) {
    case "TransportError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError(details) })
    case "EncodeError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError(details) })
    case "InvalidUrlError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.InvalidUrlError(details) })
    case "StatusCodeError":
      return new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({ ...details, response: response(reason.response) })
      })
    case "DecodeError":
      return new HttpClientError.HttpClientError({
        reason: new HttpClientError.DecodeError({ ...details, response: response(reason.response) })
      })
    case "EmptyBodyError":
      return new HttpClientError.HttpClientError({
        reason: new HttpClientError.EmptyBodyError({ ...details, response: response(reason.response) })
      })
  }
}

/** The scopes Lucca's description says the operation accepts, for `Forbidden`. */
const scopesOf = (request: HttpClientRequest.HttpClientRequest) => {
  const pathname = new URL(request.url).pathname
  const accepted = LuccaScope.acceptedScopes(request.method, pathname)
  return {
    ...optional("acceptedScopes", accepted),
    ...optional("suggestedScope", LuccaScope.forEndpoint(request.method, pathname))
  }
}

const optional = <K extends string, A>(key: K, value: A | undefined): { readonly [_ in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { readonly [_ in K]?: A }

/**
 * What the functions of the step share. They take it as an argument rather than closing
 * over it: a program may hold thousands of tenant clients, each with this step.
 */
interface Step<E, R> {
  readonly self: HttpClient.HttpClient.With<E, R>
  readonly provider: TokenProvider.Service
  readonly origin: string
  readonly beforeRetry: Effect.Effect<void>
  /** The headers last sent, with the token they were given: see {@link withToken}. */
  last: Authorized | undefined
}

interface Authorized {
  readonly headers: Headers.Headers
  readonly token: AccessToken.AccessToken
  readonly authorized: Headers.Headers
}

// `Headers` are immutable and most requests share theirs (the resolve step gives one set
// to every request without headers of its own), as they share a fresh token: the headers
// with the token are built once per pair, not copied, with the token string, per request
const withToken = (
  step: Step<any, any>,
  request: HttpClientRequest.HttpClientRequest,
  token: AccessToken.AccessToken
): HttpClientRequest.HttpClientRequest => {
  let last = step.last
  if (last === undefined || last.headers !== request.headers || last.token !== token) {
    last = {
      headers: request.headers,
      token,
      authorized: Headers.set(request.headers, "authorization", `Bearer ${Redacted.value(token.value)}`)
    }
    step.last = last
  }
  return HttpClientRequest.makeWith(
    request.method,
    request.url,
    request.urlParams,
    request.hash,
    last.authorized,
    request.body
  )
}

type Sent<E, R> = Effect.Effect<HttpClientResponse.HttpClientResponse, E | AuthenticationError, R>

// One `matchEffect` per attempt: the response is wrapped and its status checked in the
// same step, so that a 2xx costs no more than the wrapper. Which attempt it is is a flag,
// not a continuation: no closure per request for the status check.
const attempt = <E, R>(
  step: Step<E, R>,
  request: HttpClientRequest.HttpClientRequest,
  token: AccessToken.AccessToken,
  retried: boolean
): Sent<E, R> =>
  Effect.matchEffect(step.self.execute(withToken(step, request, token)), {
    onFailure: (error) =>
      Effect.fail(
        HttpClientError.isHttpClientError(error) ? errorWithoutToken(error, request, step.provider.redact) as E : error
      ),
    onSuccess: (original) => {
      const response = withoutToken(original, request, step.provider.redact)
      if (response.status !== 401) return forbiddenOr(step, request, token, response)
      return retried
        ? unauthorized(step, request, response, { retried: true })
        : retryWithFreshToken(step, request, response, token)
    }
  })

const problemFields = (response: HttpClientResponse.HttpClientResponse, redact: (text: string) => string) =>
  Effect.map(Problem.read(response), (problem) => ({
    ...optional("title", problem.title === undefined ? undefined : redact(problem.title)),
    ...optional("detail", problem.detail === undefined ? undefined : redact(problem.detail))
  }))

const forbidden = (
  step: Step<any, any>,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  token: AccessToken.AccessToken
) =>
  Effect.andThen(
    Metric.update(LuccaMetrics.forbidden, 1),
    Effect.flatMap(problemFields(response, step.provider.redact), (problem) =>
      Effect.fail(
        new LuccaError.Forbidden({
          method: request.method,
          url: Http.displayUrl(request.url),
          grantedScopes: token.scopes,
          ...scopesOf(request),
          ...problem
        })
      ))
  )

/** Why a 401 ends the request: after the retry, or without one. */
type Refusal =
  | { readonly retried: true }
  | { readonly retried: false; readonly notRetried: "OneShotBody" | "SameToken" }

const unauthorizedWith = (
  request: HttpClientRequest.HttpClientRequest,
  problem: Effect.Success<ReturnType<typeof problemFields>>,
  refusal: Refusal
) =>
  new LuccaError.Unauthorized({
    method: request.method,
    url: Http.displayUrl(request.url),
    ...refusal,
    ...problem
  })

const unauthorized = (
  step: Step<any, any>,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  refusal: Refusal
) =>
  Effect.flatMap(
    problemFields(response, step.provider.redact),
    (problem) => Effect.fail(unauthorizedWith(request, problem, refusal))
  )

/** A 403 is `Forbidden`, with the scopes that would do; any status but 401 is passed on. */
const forbiddenOr = <E, R>(
  step: Step<E, R>,
  request: HttpClientRequest.HttpClientRequest,
  token: AccessToken.AccessToken,
  response: HttpClientResponse.HttpClientResponse
): Sent<E, R> => response.status === 403 ? forbidden(step, request, response, token) : Effect.succeed(response)

// After a 401 the server did not act, so one retry is safe for every method; the token
// that was refused, and only that one, is dropped from the cache (before anything else, so
// that no later request goes out with it, even when this one is not retried). A token equal
// to the refused one is never sent again: the provider may have no other (a static one).
const retryWithFreshToken = <E, R>(
  step: Step<E, R>,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  refused: AccessToken.AccessToken
): Sent<E, R> =>
  // a one-shot body (a stream) has been consumed by the first attempt: a second copy would
  // leave empty, and the server would act on it
  !Body.isReplayable(request.body)
    ? Effect.andThen(
      step.provider.invalidate(refused),
      unauthorized(step, request, response, { retried: false, notRetried: "OneShotBody" })
    )
    : step.provider.invalidate(refused).pipe(
      // reading the body also frees the connection for the retry
      Effect.andThen(problemFields(response, step.provider.redact)),
      Effect.flatMap((problem) =>
        Effect.flatMap(step.provider.get, (token) =>
          AccessToken.isSame(token, refused)
            ? Effect.fail(unauthorizedWith(request, problem, { retried: false, notRetried: "SameToken" }))
            : Metric.update(LuccaMetrics.unauthorizedRetries, 1).pipe(
              Effect.andThen(step.beforeRetry),
              Effect.andThen(attempt(step, request, token, true))
            ))
      )
    )

const send = <E, R>(step: Step<E, R>, request: HttpClientRequest.HttpClientRequest): Sent<E, R> => {
  if (!isOnOrigin(request.url, step.origin)) {
    return Effect.fail(
      new LuccaError.ForeignOriginError({
        method: request.method,
        url: Http.displayUrl(request.url),
        accountOrigin: step.origin
      })
    )
  }
  return Effect.flatMap(step.provider.get, (token) => attempt(step, request, token, false))
}

/**
 * The authentication step (see `TokenProvider.authenticate`): the token is read for each
 * attempt and added as the last change to the request, after every transform above this
 * one; only a request whose final URL is on `origin` gets it.
 *
 * @internal
 */
export const make = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  provider: TokenProvider.Service,
  options: {
    readonly origin: string
    /** Run before the retry after a 401 is sent (a pacing turn). */
    readonly beforeRetry?: Effect.Effect<void> | undefined
  }
): HttpClient.HttpClient.With<E | AuthenticationError, R> => {
  const step: Step<E, R> = {
    self,
    provider,
    origin: options.origin,
    beforeRetry: options.beforeRetry ?? Effect.void,
    last: undefined
  }
  return HttpClient.makeWith(
    Effect.flatMap((request) => send(step, request)),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )
}
