import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as LuccaMetrics from "../LuccaMetrics.js"
import * as LuccaRetry from "../LuccaRetry.js"
import * as Body from "./body.js"
import * as Http from "./http.js"

/**
 * A retry policy over any backoff: retries while the input is retryable, waits at least
 * what the server asked for (`Retry-After`), at most `times` times, never longer than
 * `maxDelay` at once, and never sleeps past `deadline` (epoch milliseconds from `Clock`).
 *
 * @internal
 */
export const policy = <In, R>(options: {
  readonly backoff: Schedule.Schedule<unknown, In, never, R>
  readonly retryable: (input: In) => boolean
  readonly retryAfterMillis: (input: In, now: number) => number | undefined
  readonly times?: number | undefined
  readonly deadline?: number | undefined
  /** Longer waits are not slept: the retries stop, and the caller gets the last answer. */
  readonly maxDelay?: Duration.Duration | undefined
}): Schedule.Schedule<Duration.Duration, In, never, R> => {
  const counted = options.times === undefined
    ? options.backoff
    : Schedule.upTo(options.backoff, { times: options.times })
  return counted.pipe(
    Schedule.while(({ input }) => options.retryable(input)),
    // the delay is modified before the checks below, which see the delay to be slept
    Schedule.modifyDelay(({ duration, input }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const asked = options.retryAfterMillis(input, now)
        return asked === undefined ? duration : Duration.max(duration, Duration.millis(asked))
      })
    ),
    Schedule.while(({ duration }) =>
      options.maxDelay === undefined || Duration.isLessThanOrEqualTo(duration, options.maxDelay)
    ),
    Schedule.while(({ duration }) =>
      options.deadline === undefined
        ? true
        : Effect.map(Clock.currentTimeMillis, (now) => now + Duration.toMillis(duration) <= options.deadline!)
    ),
    Schedule.map(({ duration }) => duration)
  )
}

/** @internal */
export interface RequestSettings {
  readonly backoff: Schedule.Schedule<unknown, LuccaRetry.RequestOutcome>
  readonly times: number
  readonly nonIdempotent: boolean
  readonly maxRetryAfter: Duration.Duration
}

/**
 * A retryable answer as a copy whose body is read (within limits), so that the connection
 * is free for the retry and the last answer can still be returned, body included.
 */
const drained = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(
    Effect.option(Body.readText(response, Body.problemLimits)),
    (body) =>
      HttpClientResponse.fromWeb(
        response.request,
        new Response(Option.isNone(body) || body.value === "" ? null : body.value, {
          status: response.status,
          headers: new Headers(response.headers)
        })
      )
  )

/**
 * The schedule of the retry step: {@link policy} over the outcomes of the attempts (an
 * answer or a failure), passing the last one through, each retry counted.
 *
 * @internal
 */
export const schedule = (
  settings: RequestSettings,
  retryable: (outcome: LuccaRetry.RequestOutcome) => boolean = LuccaRetry.isRetryableOutcome
): Schedule.Schedule<LuccaRetry.RequestOutcome, LuccaRetry.RequestOutcome> =>
  policy<LuccaRetry.RequestOutcome, never>({
    backoff: settings.backoff,
    retryable,
    retryAfterMillis: (outcome, now) =>
      HttpClientError.isHttpClientError(outcome) ? undefined : Http.retryAfterMillis(outcome, now),
    times: settings.times,
    maxDelay: settings.maxRetryAfter
  }).pipe(
    // runs for each retry the schedule decides on
    Schedule.tap(({ input }) =>
      Metric.update(
        Metric.withAttributes(LuccaMetrics.apiRetries, {
          reason: HttpClientError.isHttpClientError(input) ? input.reason._tag : String(input.status)
        }),
        1
      )
    ),
    Schedule.passthrough
  )

/**
 * The retry step (see `LuccaRetry.retry`), shaped as `HttpClient.retryTransient`: the
 * outcomes of the attempts, answers and transport failures alike, are repeated on one
 * schedule, so that `times` counts every retry whatever its cause. Most requests succeed
 * at once: the first attempt is one `matchEffect`, and the schedule runs only from an
 * outcome that may be retried (`Effect.scheduleFrom`). When the retries end, the last
 * answer is returned (its body read) or the last failure failed.
 *
 * @internal
 */
export const make = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  settings: RequestSettings
): HttpClient.HttpClient.With<E, R> => {
  const options = { nonIdempotent: settings.nonIdempotent }
  // the schedule decides on every later outcome, so it must know the method: a POST
  // retried after a 429 that then meets a 502 stops there (it may have been processed)
  const retries = schedule(settings)
  const retriesOfNonIdempotent = schedule(
    settings,
    (outcome) => !HttpClientError.isHttpClientError(outcome) && outcome.status === 429
  )
  const isRetried = (
    request: HttpClientRequest.HttpClientRequest,
    error: E
  ): error is E & HttpClientError.HttpClientError =>
    HttpClientError.isHttpClientError(error) && LuccaRetry.mayRetry(request.method, error, options)
  // built only from a first outcome that may be retried: most requests never need it
  const retryFrom = (
    effect: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
    request: HttpClientRequest.HttpClientRequest,
    first: LuccaRetry.RequestOutcome
  ) => {
    // an attempt as an outcome: a retryable answer drained, a retryable failure as a
    // value (any other failure, an `Unauthorized` after a 503 say, ends the retries as it is)
    const attempt: Effect.Effect<LuccaRetry.RequestOutcome, E, R> = Effect.matchEffect(effect, {
      onFailure: (error) => isRetried(request, error) ? Effect.succeed(error) : Effect.fail(error),
      onSuccess: (response) =>
        LuccaRetry.mayRetry(request.method, response, options) ? drained(response) : Effect.succeed(response)
    })
    return Effect.flatMap(
      Effect.scheduleFrom(
        attempt,
        first,
        settings.nonIdempotent || LuccaRetry.idempotentMethods.has(request.method) ? retries : retriesOfNonIdempotent
      ),
      (last) => HttpClientError.isHttpClientError(last) ? Effect.fail(last as E) : Effect.succeed(last)
    )
  }
  return HttpClient.transform(self, (effect, request) =>
    // a one-shot body (a stream) has been consumed by the first attempt: the answer is
    // returned as it came rather than a second, empty copy sent
    Body.isReplayable(request.body)
      ? Effect.matchEffect(effect, {
        onFailure: (error) => isRetried(request, error) ? retryFrom(effect, request, error) : Effect.fail(error),
        onSuccess: (response) =>
          LuccaRetry.mayRetry(request.method, response, options)
            ? Effect.flatMap(drained(response), (first) => retryFrom(effect, request, first))
            : Effect.succeed(response)
      })
      : effect)
}
