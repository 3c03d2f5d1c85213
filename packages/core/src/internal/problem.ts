import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Body from "./body.js"
import * as Http from "./http.js"

/**
 * The RFC 7807 fields of an error body.
 *
 * @internal
 */
export interface Problem {
  readonly type?: string
  readonly title?: string
  readonly detail?: string
  readonly instance?: string
  readonly errors?: Record<string, ReadonlyArray<string>>
  readonly traceId?: string
}

const stringField = <K extends string>(body: Record<string, unknown>, key: K): { readonly [_ in K]?: string } =>
  (typeof body[key] === "string" ? { [key]: body[key] } : {}) as { readonly [_ in K]?: string }

/** @internal */
export const parse = (text: string): Problem => {
  const body = Option.getOrUndefined(Http.parseJson(text))
  if (!Predicate.isRecord(body)) return {}
  const errors = Predicate.isRecord(body.errors)
    ? Object.fromEntries(
      Object.entries(body.errors).map(([field, messages]) => [
        field,
        Array.isArray(messages) ? messages.map(String) : [String(messages)]
      ])
    )
    : undefined
  const extensions = Predicate.isRecord(body.extensions) ? body.extensions : {}
  const traceId = stringField(extensions, "traceId").traceId ?? stringField(body, "traceId").traceId
  return {
    ...stringField(body, "type"),
    ...stringField(body, "title"),
    ...stringField(body, "detail"),
    ...stringField(body, "instance"),
    ...(errors === undefined ? {} : { errors }),
    ...(traceId === undefined ? {} : { traceId })
  }
}

/**
 * The RFC 7807 fields of an error body, or nothing when it is not problem+json, cannot be
 * read in time or is too large. Reading the body also releases the connection before a
 * retry.
 *
 * @internal
 */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  limits: Body.Limits = Body.problemLimits
): Effect.Effect<Problem> =>
  Body.readText(response, limits).pipe(
    Effect.map(parse),
    Effect.orElseSucceed((): Problem => ({}))
  )
