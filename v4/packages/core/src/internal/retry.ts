import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
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

/**
 * `self`, fed inputs of another type through `f` (Effect 4 has no `Schedule.mapInput`).
 *
 * @internal
 */
export const mapInput = <O, In, In2, E, R>(
  self: Schedule.Schedule<O, In, E, R>,
  f: (input: In2) => In
): Schedule.Schedule<O, In2, E, R> =>
  Schedule.fromStep(Effect.map(Schedule.toStep(self), (step) => (now: number, input: In2) => step(now, f(input))))

/** @internal */
export interface RequestSettings {
  readonly backoff: Schedule.Schedule<unknown, LuccaRetry.RequestOutcome>
  readonly times: number
  readonly nonIdempotent: boolean
  readonly maxRetryAfter: Duration.Duration
}

/** A retryable answer, as a failure so that `Effect.retry` sees it; its body is already read. */
class RetryableResponse {
  constructor(readonly response: HttpClientResponse.HttpClientResponse) {}
}

/** A failure that is not retried, carried out of `Effect.retry` as a value. */
class Stop<E> {
  constructor(readonly failure: E) {}
}

/**
 * A retryable answer as a copy whose body is read (within limits), so that the connection
 * is free for the retry.
 */
const retryable = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(
    Effect.option(Body.readText(response, Body.problemLimits)),
    (body) =>
      new RetryableResponse(HttpClientResponse.fromWeb(
        response.request,
        new Response(Option.isNone(body) || body.value === "" ? null : body.value, {
          status: response.status,
          headers: new Headers(response.headers)
        })
      ))
  )

/**
 * The retry step of the account client: transient answers and dropped connections are
 * retried with `Effect.retry` over {@link policy} (see `LuccaRetry.mayRetry` for which, and
 * for which methods); when the retries end, the last answer is returned as it came.
 *
 * @internal
 */
export const requests = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  settings: RequestSettings
): HttpClient.HttpClient.With<E, R> => {
  // Built on the first failure and kept: a client that never retries (most of the
  // thousands of tenant clients a program may hold) does not carry it.
  let counted: Schedule.Schedule<Duration.Duration, LuccaRetry.RequestOutcome> | undefined
  const schedule = () => {
    if (counted !== undefined) return counted
    counted = policy<LuccaRetry.RequestOutcome, never>({
      backoff: settings.backoff,
      retryable: LuccaRetry.isRetryableOutcome,
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
      )
    )
    return counted
  }
  const options = { nonIdempotent: settings.nonIdempotent }
  return HttpClient.transform(self, (effect, request) => {
    // a one-shot body (a stream) has been consumed by the first attempt: the answer is
    // returned as it came rather than a second, empty copy sent
    if (!Body.isReplayable(request.body)) return effect
    const mayRetry = (outcome: LuccaRetry.RequestOutcome) => LuccaRetry.mayRetry(request.method, outcome, options)
    const outcome = (failure: E | RetryableResponse): LuccaRetry.RequestOutcome | undefined =>
      failure instanceof RetryableResponse
        ? failure.response
        : HttpClientError.isHttpClientError(failure) && mayRetry(failure)
        ? failure
        : undefined
    // Most requests succeed at once: the first attempt is one `matchEffect`, and the
    // schedule (and its state) is only set up once it failed, fed that first failure
    // before any new attempt.
    const retryAfter = (first: E | RetryableResponse) => {
      const attempt: Effect.Effect<HttpClientResponse.HttpClientResponse, E | RetryableResponse, R> = Effect.flatMap(
        effect,
        (response) => mayRetry(response) ? Effect.flatMap(retryable(response), Effect.fail) : Effect.succeed(response)
      )
      // Only retryable outcomes reach the schedule: any other failure (an `Unauthorized`
      // after a 503, say) leaves the retries as a value and is failed again after them.
      const attemptOrStop = Effect.catch(
        attempt,
        (failure) => outcome(failure) === undefined ? Effect.succeed(new Stop(failure)) : Effect.fail(failure)
      )
      let pending: E | RetryableResponse | undefined = first
      return Effect.suspend(() => {
        if (pending === undefined) return attemptOrStop
        const failure = pending
        pending = undefined
        return Effect.fail(failure)
      }).pipe(
        Effect.retry(mapInput(schedule(), (failure: E | RetryableResponse) => outcome(failure)!)),
        Effect.flatMap((result) => result instanceof Stop ? Effect.fail(result.failure as E) : Effect.succeed(result)),
        Effect.catchIf(
          (failure): failure is RetryableResponse => failure instanceof RetryableResponse,
          (last) => Effect.succeed(last.response)
        )
      ) as Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
    }
    return Effect.matchEffect(effect, {
      onFailure: (error) => outcome(error) === undefined ? Effect.fail(error) : retryAfter(error),
      onSuccess: (response) =>
        mayRetry(response) ? Effect.flatMap(retryable(response), retryAfter) : Effect.succeed(response)
    })
  })
}
