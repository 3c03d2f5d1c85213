/**
 * Lucca announces the end of an endpoint with the `Deprecation` and `Sunset` headers of
 * its answers: the step {@link warnOnDeprecation} turns them into one warning per
 * endpoint, so that a program learns it before the sunset.
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import type * as HttpClient from "effect/http/HttpClient"
import * as internal from "./internal/deprecation.js"

/**
 * Logs one warning per endpoint (the method and the path, ids folded into `{id}`) that
 * answers with `Deprecation` or `Sunset`, annotated with both headers and `apiVersion`.
 * Responses pass through unchanged.
 *
 * @example
 * ```ts
 * import { LuccaDeprecation } from "@effect-lucca/core"
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * const client = Effect.map(HttpClient.HttpClient, LuccaDeprecation.warnOnDeprecation("2024-11-01"))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9745 (Deprecation)
 * @see https://www.rfc-editor.org/rfc/rfc8594 (Sunset)
 * @since 0.1.0
 * @category combinators
 */
export const warnOnDeprecation: {
  (apiVersion: string): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>
  <E, R>(self: HttpClient.HttpClient.With<E, R>, apiVersion: string): HttpClient.HttpClient.With<E, R>
} = dual(2, internal.warnOnce)
