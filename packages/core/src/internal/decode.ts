import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as LuccaError from "../LuccaError.js"
import * as Body from "./body.js"
import * as Http from "./http.js"
import * as Problem from "./problem.js"

const identity = (text: string) => text

const redactProblem = (problem: Problem.Problem, redact: (text: string) => string): Problem.Problem => {
  if (redact === identity) return problem
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(problem)) {
    out[key] = typeof value === "string"
      ? redact(value)
      : Object.fromEntries(
        Object.entries(value as Record<string, ReadonlyArray<string>>).map((
          [field, messages]
        ) => [redact(field), messages.map(redact)])
      )
  }
  return out as Problem.Problem
}

/**
 * Decodes a response: a 2xx JSON body (or an empty 204) with `schema`, an error status as
 * an `ApiError` with the fields of its `application/problem+json` body, whose texts go
 * through `redact` (a server may echo the token). The body is read once, within limits.
 *
 * @internal
 */
export const decode = <A, I, R>(
  response: HttpClientResponse.HttpClientResponse,
  schema: Schema.Schema<A, I, R>,
  options?: { readonly redact?: ((text: string) => string) | undefined; readonly limits?: Body.Limits | undefined }
): Effect.Effect<A, LuccaError.ApiError | LuccaError.ResponseDecodeError, R> => {
  const request = response.request
  const context = { method: request.method, url: Http.displayUrl(request.url), status: response.status }
  if (response.status < 200 || response.status >= 300) {
    return Effect.flatMap(
      Effect.zip(Problem.read(response), Clock.currentTimeMillis),
      ([problem, now]) => {
        const retryAfterMillis = Http.retryAfterMillis(response, now)
        return new LuccaError.ApiError({
          ...context,
          ...redactProblem(problem, options?.redact ?? identity),
          ...(retryAfterMillis === undefined ? {} : { retryAfterMillis })
        })
      }
    )
  }
  return Body.readText(response, options?.limits ?? Body.jsonLimits).pipe(
    Effect.mapError((error) =>
      new LuccaError.ResponseDecodeError({
        ...context,
        path: "",
        description: `the body could not be read: ${error.description ?? "the connection failed"}`
      })
    ),
    Effect.flatMap((text) => {
      const json = text === "" && response.status === 204 ? Option.some(undefined) : Http.parseJson(text)
      if (Option.isNone(json)) {
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
