import * as HttpServerResponse from "effect/http/HttpServerResponse"

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable"
}

const types: Record<number, string> = {
  400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
  401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
  403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
  404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
  405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
  408: "https://tools.ietf.org/html/rfc9110#section-15.5.9",
  415: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
  429: "https://tools.ietf.org/html/rfc6585#section-4",
  500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
  503: "https://tools.ietf.org/html/rfc9110#section-15.6.4"
}

/** @internal */
export const contentType = "application/problem+json"

/** @internal */
export interface Options {
  readonly status: number
  /** The request path, RFC 9457 `instance`. */
  readonly instance: string
  readonly detail?: string | undefined
  /** Field errors of a 400: `{field: [messages]}`. */
  readonly errors?: Readonly<Record<string, ReadonlyArray<string>>> | undefined
  readonly traceId?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * An RFC 9457 (formerly RFC 7807) problem document. As Lucca documents it, a 400 also
 * carries `errors` and `extensions.traceId`.
 *
 * @internal
 */
export const make = (options: Options): HttpServerResponse.HttpServerResponse => {
  const body: Record<string, unknown> = {
    type: types[options.status] ?? "about:blank",
    title: titles[options.status] ?? "Error",
    status: options.status
  }
  if (options.detail !== undefined) body.detail = options.detail
  body.instance = options.instance
  if (options.status === 400) {
    body.errors = options.errors ?? {}
    body.extensions = { traceId: options.traceId ?? "" }
  }
  return HttpServerResponse.jsonUnsafe(body, {
    status: options.status,
    contentType,
    headers: options.headers ?? {}
  })
}
