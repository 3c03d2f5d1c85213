import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
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
export const decode = <S extends Schema.Top>(
  response: HttpClientResponse.HttpClientResponse,
  schema: S,
  options?: { readonly redact?: ((text: string) => string) | undefined; readonly limits?: Body.Limits | undefined }
): Effect.Effect<S["Type"], LuccaError.ApiError | LuccaError.ResponseDecodeError, S["DecodingServices"]> => {
  const request = response.request
  const context = { method: request.method, url: Http.displayUrl(request.url), status: response.status }
  if (response.status < 200 || response.status >= 300) {
    return Effect.flatMap(
      Effect.zip(Problem.read(response), Clock.currentTimeMillis),
      ([problem, now]) => {
        const retryAfterMillis = Http.retryAfterMillis(response, now)
        return Effect.fail(
          new LuccaError.ApiError({
            ...context,
            ...redactProblem(problem, options?.redact ?? identity),
            ...(retryAfterMillis === undefined ? {} : { retryAfterMillis })
          })
        )
      }
    )
  }
  return Body.readText(response, options?.limits ?? Body.jsonLimits).pipe(
    Effect.mapError((error) =>
      new LuccaError.ResponseDecodeError({
        ...context,
        path: "",
        description: `the body could not be read: ${error.reason.description ?? "the connection failed"}`
      })
    ),
    Effect.flatMap((text) => {
      const json = text === "" && response.status === 204 ? { value: undefined } : Http.parseJson(text)
      if (json === undefined) {
        return Effect.fail(
          new LuccaError.ResponseDecodeError({ ...context, path: "", description: "the body is not valid JSON" })
        )
      }
      return Schema.decodeUnknownEffect(schema as any as Schema.Decoder<S["Type"], S["DecodingServices"]>)(
        json.value
      ).pipe(
        Effect.mapError((error) => {
          const { message, path } = Http.describeIssue(error.issue)
          return new LuccaError.ResponseDecodeError({ ...context, path, description: message })
        })
      )
    })
  )
}
