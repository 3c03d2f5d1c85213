import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as AccessToken from "../AccessToken.js"
import type * as LuccaClient from "../LuccaClient.js"
import * as LuccaError from "../LuccaError.js"
import * as LuccaMetrics from "../LuccaMetrics.js"
import * as LuccaRetry from "../LuccaRetry.js"
import * as LuccaScope from "../LuccaScope.js"
import type * as TokenProvider from "../TokenProvider.js"
import * as Http from "./http.js"
import * as Retry from "./retry.js"
import * as WithoutToken from "./withoutToken.js"

interface Problem {
  readonly type?: string
  readonly title?: string
  readonly detail?: string
  readonly instance?: string
  readonly errors?: Record<string, ReadonlyArray<string>>
  readonly traceId?: string
}

const stringField = <K extends string>(body: Record<string, unknown>, key: K): { readonly [_ in K]?: string } =>
  (typeof body[key] === "string" ? { [key]: body[key] } : {}) as { readonly [_ in K]?: string }

/**
 * The RFC 7807 fields of an error body, or nothing when it is not problem+json. Reading the
 * body also releases the connection before a retry.
 */
const readProblem = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Problem> =>
  response.text.pipe(
    Effect.map((text): Problem => {
      const body = Http.parseJson(text)?.value
      if (!Http.isRecord(body)) return {}
      const errors = Http.isRecord(body.errors)
        ? Object.fromEntries(
          Object.entries(body.errors).map(([field, messages]) => [
            field,
            Array.isArray(messages) ? messages.map(String) : [String(messages)]
          ])
        )
        : undefined
      const extensions = Http.isRecord(body.extensions) ? body.extensions : {}
      const traceId = stringField(extensions, "traceId").traceId ?? stringField(body, "traceId").traceId
      return {
        ...stringField(body, "type"),
        ...stringField(body, "title"),
        ...stringField(body, "detail"),
        ...stringField(body, "instance"),
        ...(errors === undefined ? {} : { errors }),
        ...(traceId === undefined ? {} : { traceId })
      }
    }),
    Effect.orElseSucceed((): Problem => ({}))
  )

const requestUrl = (request: HttpClientRequest.HttpClientRequest): string => Http.displayUrl(request.url)

const optional = <K extends string, A>(key: K, value: A | undefined): { readonly [_ in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { readonly [_ in K]?: A }

/** @internal */
export interface Settings {
  readonly accountUrl: URL
  readonly apiVersion: string
  readonly tokenProvider: TokenProvider.Service
  readonly httpClient: HttpClient.HttpClient
  /** Waits for the account's request budget before each request; `undefined` when off. */
  readonly pace: Effect.Effect<void> | undefined
  readonly retry: {
    readonly backoff: Schedule.Schedule<unknown, LuccaRetry.RequestOutcome>
    readonly times: number
    readonly nonIdempotent: boolean
    readonly maxRetryAfter: Duration.Duration
  } | undefined
}

/** A copy of a response whose body is already read, so the connection is free for a retry. */
const buffered = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(
    Effect.orElseSucceed(response.arrayBuffer, () => new ArrayBuffer(0)),
    (body) =>
      HttpClientResponse.fromWeb(
        response.request,
        new Response(body.byteLength === 0 ? null : body, {
          status: response.status,
          headers: new Headers(response.headers)
        })
      )
  )

// One warning per endpoint: ids and other values in the path are folded into "{id}".
const endpointKey = (request: HttpClientRequest.HttpClientRequest) =>
  `${request.method} ${
    new URL(request.url).pathname.split("/").map((segment) => /\d/.test(segment) ? "{id}" : segment).join("/")
  }`

/** @internal */
export const make = (settings: Settings): LuccaClient.Service => {
  const { accountUrl, apiVersion, tokenProvider } = settings
  const base = settings.httpClient
  const accountOrigin = accountUrl.origin
  const warnedEndpoints = new Set<string>()

  // Paths are resolved against the account origin, and the result must stay on it, because
  // the token goes with every request. Resolve first, compare after: "//host/x" and
  // "/\\host/x" are relative references that resolve to another origin.
  const resolve = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientRequest.HttpClientRequest, LuccaError.ForeignOriginError> => {
    const url = URL.canParse(request.url, accountUrl) ? new URL(request.url, accountUrl) : undefined
    return url !== undefined && url.origin === accountOrigin
      ? Effect.succeed(HttpClientRequest.setUrl(request, url.toString()))
      : Effect.fail(
        new LuccaError.ForeignOriginError({
          method: request.method,
          url: Http.displayUrl(url ?? request.url),
          accountOrigin
        })
      )
  }

  const prepare = (request: HttpClientRequest.HttpClientRequest) =>
    resolve(request).pipe(
      Effect.map((request) =>
        HttpClientRequest.setHeaders(request, {
          "api-version": request.headers["api-version"] ?? apiVersion,
          accept: request.headers["accept"] ?? "application/json"
        })
      )
    )

  /** What one attempt ended with, and the token it carried (to invalidate it after a 401). */
  interface Sent {
    readonly response: HttpClientResponse.HttpClientResponse
    readonly token: AccessToken.AccessToken
  }

  // The token is read for each attempt, after pacing: a request that waited (for its turn,
  // or for a `Retry-After`) goes out with the token that is current then.
  const sendOnce = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<Sent, HttpClientError.HttpClientError | LuccaError.TokenError> => {
    const attempt = Effect.flatMap(
      tokenProvider.get,
      (token) =>
        base.execute(HttpClientRequest.bearerToken(request, Redacted.value(token.value))).pipe(
          Effect.mapBoth({
            onFailure: (error) => WithoutToken.errorWithoutToken(error, request),
            onSuccess: (response) => ({ response: WithoutToken.responseWithoutToken(response, request), token })
          })
        )
    )
    return settings.pace === undefined ? attempt : Effect.zipRight(settings.pace, attempt)
  }

  const retryPolicy = settings.retry === undefined ? undefined : Retry.policy({
    backoff: settings.retry.backoff,
    retryable: LuccaRetry.isRetryableOutcome,
    retryAfterMillis: (outcome, now) =>
      HttpClientError.isHttpClientError(outcome) ? undefined : Http.retryAfterMillis(outcome, now),
    times: settings.retry.times,
    maxDelay: settings.retry.maxRetryAfter
  })

  // Transient answers are retried here, before 401/403 handling sees the final answer
  // (see `LuccaRetry.mayRetry` for which, and for which methods).
  const send = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<Sent, HttpClientError.HttpClientError | LuccaError.TokenError> => {
    if (retryPolicy === undefined || request.body._tag === "Stream") return sendOnce(request)
    const mayRetry = (outcome: LuccaRetry.RequestOutcome) =>
      LuccaRetry.mayRetry(request.method, outcome, { nonIdempotent: settings.retry!.nonIdempotent })
    type Driver = Schedule.ScheduleDriver<Duration.Duration, LuccaRetry.RequestOutcome>
    // the schedule's driver is only built once an attempt needs a retry: most never do
    const retryOr = <A, E>(outcome: LuccaRetry.RequestOutcome, giveUp: Effect.Effect<A, E>, driver?: Driver) =>
      Effect.flatMap(
        driver === undefined ? Schedule.driver(retryPolicy) : Effect.succeed(driver),
        (driver) =>
          driver.next(outcome).pipe(
            Effect.matchEffect({
              onFailure: () => giveUp,
              onSuccess: () =>
                Effect.zipRight(
                  Metric.increment(Metric.tagged(
                    LuccaMetrics.apiRetries,
                    "reason",
                    HttpClientError.isHttpClientError(outcome) ? outcome.reason : String(outcome.status)
                  )),
                  loop(driver)
                )
            })
          )
      )
    const loop = (driver?: Driver): Effect.Effect<Sent, HttpClientError.HttpClientError | LuccaError.TokenError> =>
      sendOnce(request).pipe(
        Effect.matchEffect({
          onFailure: (error) =>
            HttpClientError.isHttpClientError(error) && mayRetry(error)
              ? retryOr(error, Effect.fail(error), driver)
              : Effect.fail(error),
          onSuccess: (sent) =>
            mayRetry(sent.response)
              ? Effect.flatMap(
                buffered(sent.response),
                (response) => retryOr(response, Effect.succeed({ response, token: sent.token }), driver)
              )
              : Effect.succeed(sent)
        })
      )
    return loop()
  }

  const warnIfDeprecated = (
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse
  ) => {
    // `headers` may be rebuilt on each read (undici): read it once
    const headers = response.headers
    const deprecation = headers["deprecation"]
    const sunset = headers["sunset"]
    if (deprecation === undefined && sunset === undefined) return Effect.void
    const key = endpointKey(request)
    if (warnedEndpoints.has(key)) return Effect.void
    warnedEndpoints.add(key)
    return Effect.logWarning(`Lucca marks ${key} as deprecated; plan a move before its sunset`).pipe(
      Effect.annotateLogs({
        "lucca.api_version": apiVersion,
        ...(deprecation === undefined ? {} : { "http.deprecation": deprecation }),
        ...(sunset === undefined ? {} : { "http.sunset": sunset })
      })
    )
  }

  const forbidden = (
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse,
    token: AccessToken.AccessToken
  ) =>
    readProblem(response).pipe(
      Effect.tap(() => Metric.increment(LuccaMetrics.forbidden)),
      Effect.flatMap((problem) =>
        new LuccaError.Forbidden({
          method: request.method,
          url: requestUrl(request),
          grantedScopes: token.scopes,
          ...optional("suggestedScope", LuccaScope.forEndpoint(request.method, new URL(request.url).pathname)),
          ...optional("title", problem.title),
          ...optional("detail", problem.detail)
        })
      )
    )

  const unauthorized = (
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse,
    retried: boolean
  ) =>
    readProblem(response).pipe(
      Effect.flatMap((problem) =>
        new LuccaError.Unauthorized({
          method: request.method,
          url: requestUrl(request),
          retried,
          ...optional("title", problem.title),
          ...optional("detail", problem.detail)
        })
      )
    )

  const authenticate = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, LuccaClient.ClientError> =>
    Effect.gen(function*() {
      const first = yield* send(request)
      if (first.response.status === 403) return yield* forbidden(request, first.response, first.token)
      if (first.response.status !== 401) return first.response
      // A stream body has been consumed by the first attempt and cannot be sent again.
      if (request.body._tag === "Stream") return yield* unauthorized(request, first.response, false)
      // The server did not act on a 401, so one retry is safe for every method.
      yield* readProblem(first.response)
      yield* tokenProvider.invalidate(first.token)
      yield* Metric.increment(LuccaMetrics.unauthorizedRetries)
      const second = yield* send(request)
      if (second.response.status === 401) return yield* unauthorized(request, second.response, true)
      if (second.response.status === 403) return yield* forbidden(request, second.response, second.token)
      return second.response
    })

  const execute = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.tap(authenticate(request), (response) => warnIfDeprecated(request, response))

  const httpClient: HttpClient.HttpClient.With<LuccaClient.ClientError> = HttpClient.makeWith(
    Effect.flatMap(execute),
    prepare
  )

  const json = <A, I, R>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, R>
  ): Effect.Effect<A, LuccaClient.ClientError | LuccaError.ApiError | LuccaError.ResponseDecodeError, R> =>
    httpClient.execute(request).pipe(
      Effect.flatMap((response) => decode(response, schema))
    )

  const get = <A, I, R>(
    path: string,
    schema: Schema.Schema<A, I, R>,
    options?: { readonly urlParams?: UrlParams.Input | undefined }
  ) => json(HttpClientRequest.get(path, { urlParams: options?.urlParams ?? [] }), schema)

  const paginate = <A, I, R>(
    path: string,
    item: Schema.Schema<A, I, R>,
    options?: LuccaClient.PaginateOptions
  ): Stream.Stream<A, LuccaClient.ClientError | LuccaError.ApiError | LuccaError.ResponseDecodeError, R> => {
    const page = pageSchema(item)
    return Stream.paginateChunkEffect(
      firstPage(path, options),
      (request) =>
        Effect.map(
          json(request, page),
          (page) => [Chunk.unsafeFromArray(page.items as Array<A>), nextPage(page)] as const
        )
    )
  }

  return { accountUrl, apiVersion, tokenProvider, httpClient, execute: httpClient.execute, json, get, paginate }
}

/** @internal */
export const pageSchema = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    items: Schema.Array(item),
    links: Schema.optional(Schema.NullOr(Schema.Struct({
      next: Schema.optional(Schema.NullOr(Schema.Struct({ href: Schema.String })))
    })))
  })

/** @internal */
export const firstPage = (path: string, options?: LuccaClient.PaginateOptions): HttpClientRequest.HttpClientRequest => {
  const params = UrlParams.fromInput(options?.urlParams ?? [])
  // `links` must be included for the cursors; keep whatever else the caller asked for
  const include = UrlParams.getFirst(params, "include").pipe(
    Option.map((value) => value.split(",").includes("links") ? value : `${value},links`),
    Option.getOrElse(() => "links")
  )
  return HttpClientRequest.get(path, {
    urlParams: UrlParams.setAll(params, {
      include,
      ...(options?.limit === undefined ? {} : { limit: String(options.limit) })
    })
  })
}

/** @internal */
export const nextPage = (
  page: { readonly links?: { readonly next?: { readonly href: string } | null | undefined } | null | undefined }
): Option.Option<HttpClientRequest.HttpClientRequest> => {
  const href = page.links?.next?.href
  return href === undefined || href === "" ? Option.none() : Option.some(HttpClientRequest.get(href))
}

/** @internal */
export const decode = <A, I, R>(
  response: HttpClientResponse.HttpClientResponse,
  schema: Schema.Schema<A, I, R>
): Effect.Effect<A, LuccaError.ApiError | LuccaError.ResponseDecodeError, R> => {
  const request = response.request
  const context = { method: request.method, url: requestUrl(request), status: response.status }
  if (response.status < 200 || response.status >= 300) {
    return Effect.flatMap(
      Effect.zip(readProblem(response), Clock.currentTimeMillis),
      ([problem, now]) =>
        new LuccaError.ApiError({
          ...context,
          ...problem,
          ...optional("retryAfterMillis", Http.retryAfterMillis(response, now))
        })
    )
  }
  return response.text.pipe(
    Effect.mapError(() =>
      new LuccaError.ResponseDecodeError({ ...context, path: "", description: "the body could not be read" })
    ),
    Effect.flatMap((text) => {
      const json = text === "" && response.status === 204 ? { value: undefined } : Http.parseJson(text)
      if (json === undefined) {
        return new LuccaError.ResponseDecodeError({ ...context, path: "", description: "the body is not valid JSON" })
      }
      return Schema.decodeUnknown(schema)(json.value).pipe(
        Effect.mapError((error) => {
          const { message, path } = Http.describeParseError(error)
          return new LuccaError.ResponseDecodeError({ ...context, path, description: message })
        })
      )
    })
  )
}
