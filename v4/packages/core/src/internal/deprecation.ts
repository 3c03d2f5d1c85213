import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"

// One warning per endpoint: ids and other values in the path are folded into "{id}".
const endpointKey = (request: HttpClientRequest.HttpClientRequest) =>
  `${request.method} ${
    new URL(request.url).pathname.split("/").map((segment) => /\d/.test(segment) ? "{id}" : segment).join("/")
  }`

/**
 * Logs one warning per endpoint that answers with `Deprecation` or `Sunset`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9745 (Deprecation)
 * @see https://www.rfc-editor.org/rfc/rfc8594 (Sunset)
 * @internal
 */
export const warnOnce = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  apiVersion: string
): HttpClient.HttpClient.With<E, R> => {
  // created on the first warning: most clients never need it
  let warned: Set<string> | undefined
  // `flatMap` rather than `tap`: most responses are passed on as they are, in one step
  return HttpClient.transformResponse(
    self,
    Effect.flatMap((response) => {
      // `headers` may be rebuilt on each read (undici): read it once
      const headers = response.headers
      const deprecation = headers["deprecation"]
      const sunset = headers["sunset"]
      if (deprecation === undefined && sunset === undefined) return Effect.succeed(response)
      const key = endpointKey(response.request)
      warned ??= new Set()
      if (warned.has(key)) return Effect.succeed(response)
      warned.add(key)
      return Effect.logWarning(`Lucca marks ${key} as deprecated; plan a move before its sunset`).pipe(
        Effect.annotateLogs({
          "lucca.api_version": apiVersion,
          ...(deprecation === undefined ? {} : { "http.deprecation": deprecation }),
          ...(sunset === undefined ? {} : { "http.sunset": sunset })
        }),
        Effect.as(response)
      )
    })
  )
}
