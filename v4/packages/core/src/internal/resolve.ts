import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as LuccaError from "../LuccaError.js"
import * as Http from "./http.js"

/**
 * `request.url` resolved against the account, or `undefined` when it lands on another
 * origin. Resolve first, compare after: "//host/x" and "/\\host/x" are relative references
 * to another origin. A plain absolute path ("/lucca-api/...", no backslash, no tab or line
 * break, which the URL parser would drop) cannot leave the origin: it is joined without a
 * parse, since every request goes through here.
 *
 * @internal
 */
export const resolveOn = (url: string, accountUrl: URL): string | undefined => {
  if (url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47 && !/[\\\t\n\r]/.test(url)) {
    return accountUrl.origin + url
  }
  if (!URL.canParse(url, accountUrl)) return undefined
  const resolved = new URL(url, accountUrl)
  return resolved.origin === accountUrl.origin ? resolved.href : undefined
}

/**
 * Adds `Api-Version` and `Accept: application/json`, unless the request sets its own.
 *
 * @internal
 */
export const withApiHeaders = (
  request: HttpClientRequest.HttpClientRequest,
  apiVersion: string
): HttpClientRequest.HttpClientRequest =>
  request.headers["api-version"] !== undefined && request.headers["accept"] !== undefined
    ? request
    : HttpClientRequest.setHeaders(request, {
      "api-version": request.headers["api-version"] ?? apiVersion,
      accept: request.headers["accept"] ?? "application/json"
    })

/**
 * The first step a request goes through: its URL resolved on the account (or
 * `ForeignOriginError`), then {@link withApiHeaders}. The authentication step checks the
 * final URL again, whatever changes it after this step.
 *
 * @internal
 */
export const onAccount = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  accountUrl: URL,
  apiVersion: string
): HttpClient.HttpClient.With<E | LuccaError.ForeignOriginError, R> => {
  // Most requests carry no headers of their own (`Headers.empty`): they all get this one
  // immutable set, and the resolved request is built once rather than copied twice
  const apiHeaders = Headers.fromInput({ "api-version": apiVersion, accept: "application/json" })
  return HttpClient.mapRequestInputEffect(self, (request) => {
    const url = resolveOn(request.url, accountUrl)
    if (url === undefined) {
      return Effect.fail(
        new LuccaError.ForeignOriginError({
          method: request.method,
          url: Http.displayUrl(URL.canParse(request.url, accountUrl) ? new URL(request.url, accountUrl) : request.url),
          accountOrigin: accountUrl.origin
        })
      )
    }
    return Effect.succeed(
      request.headers === Headers.empty
        ? HttpClientRequest.makeWith(request.method, url, request.urlParams, request.hash, apiHeaders, request.body)
        : withApiHeaders(HttpClientRequest.setUrl(request, url), apiVersion)
    )
  })
}
