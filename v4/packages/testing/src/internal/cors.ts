import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"

/**
 * Headers a browser may send: the bearer token, the API version, JSON / form bodies,
 * conditional requests and the W3C and B3 trace propagation headers.
 *
 * @internal
 */
export const allowedHeaders: ReadonlyArray<string> = [
  "Authorization",
  "Api-Version",
  "Content-Type",
  "If-None-Match",
  "traceparent",
  "tracestate",
  "b3",
  "X-B3-TraceId",
  "X-B3-SpanId",
  "X-B3-ParentSpanId",
  "X-B3-Sampled"
]

/** Response headers a browser script may read. @internal */
export const exposedHeaders: ReadonlyArray<string> = [
  "ETag",
  "Retry-After",
  "Api-Version",
  "Deprecation",
  "Sunset",
  "Link",
  "Location"
]

const allowOrigin = (request: HttpServerRequest.HttpServerRequest): Record<string, string> =>
  // no cookies are involved, so any origin may call; echo it to stay valid with credentials
  request.headers.origin !== undefined
    ? { "access-control-allow-origin": request.headers.origin, vary: "Origin" }
    : { "access-control-allow-origin": "*" }

/** The answer to a CORS preflight (`OPTIONS`). @internal */
export const preflight = (
  request: HttpServerRequest.HttpServerRequest,
  methods: ReadonlyArray<string>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({
    status: 204,
    headers: {
      ...allowOrigin(request),
      "access-control-allow-methods": methods.join(", "),
      "access-control-allow-headers": allowedHeaders.join(", "),
      "access-control-max-age": "600",
      allow: methods.join(", ")
    }
  })

/** Adds the CORS headers of an actual (non-preflight) response. @internal */
export const decorate = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.setHeaders(response, {
    ...allowOrigin(request),
    "access-control-expose-headers": exposedHeaders.join(", ")
  })
