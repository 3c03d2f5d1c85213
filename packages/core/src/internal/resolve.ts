import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as LuccaError from "../LuccaError.js"
import * as Http from "./http.js"

/**
 * Resolves request URLs against the account URL, and refuses those that end up on another
 * origin. Resolve first, compare after: "//host/x" and "/\\host/x" are relative references
 * to another origin. (The authentication step checks the final URL again, whatever changes
 * it after this step.)
 *
 * @internal
 */
export const onAccount = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  accountUrl: URL
): HttpClient.HttpClient.With<E | LuccaError.ForeignOriginError, R> => {
  const accountOrigin = accountUrl.origin
  return HttpClient.mapRequestInputEffect(self, (request) => {
    const url = URL.canParse(request.url, accountUrl) ? new URL(request.url, accountUrl) : undefined
    return url !== undefined && url.origin === accountOrigin
      ? Effect.succeed(HttpClientRequest.setUrl(request, url.href))
      : Effect.fail(
        new LuccaError.ForeignOriginError({
          method: request.method,
          url: Http.displayUrl(url ?? request.url),
          accountOrigin
        })
      )
  })
}

/**
 * Adds `Api-Version` and `Accept: application/json`, unless the request sets its own.
 *
 * @internal
 */
export const apiHeaders = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  apiVersion: string
): HttpClient.HttpClient.With<E, R> =>
  HttpClient.mapRequestInput(
    self,
    (request) =>
      request.headers["api-version"] !== undefined && request.headers["accept"] !== undefined
        ? request
        : HttpClientRequest.setHeaders(request, {
          "api-version": request.headers["api-version"] ?? apiVersion,
          accept: request.headers["accept"] ?? "application/json"
        })
  )
