import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Stream from "effect/Stream"

// The request the underlying client sent carries the token, and a request renders its
// headers in clear when it is logged or serialized outside a fiber (`Inspectable.redact`
// only applies inside one). So the responses and errors that reach the caller point at the
// request as it was before the token was added.

/**
 * A response that delegates to the one received, but whose `request` (and whose errors'
 * `request`) is the request without the token.
 *
 * @internal
 */
class ResponseWithoutToken extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly original: HttpClientResponse.HttpClientResponse
  ) {
    super()
  }

  private scrub<A>(
    effect: Effect.Effect<A, HttpClientError.ResponseError>
  ): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.mapError(effect, (error) => errorWithoutToken(error, this.request) as HttpClientError.ResponseError)
  }

  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }
  get json() {
    return this.scrub(this.original.json)
  }
  get text() {
    return this.scrub(this.original.text)
  }
  get urlParamsBody() {
    return this.scrub(this.original.urlParamsBody)
  }
  get formData() {
    return this.scrub(this.original.formData)
  }
  get arrayBuffer() {
    return this.scrub(this.original.arrayBuffer)
  }
  get stream() {
    return Stream.mapError(
      this.original.stream,
      (error) => errorWithoutToken(error, this.request) as HttpClientError.ResponseError
    )
  }
  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers)
    }
  }
}

/** @internal */
export const responseWithoutToken = (
  response: HttpClientResponse.HttpClientResponse,
  request: HttpClientRequest.HttpClientRequest
): HttpClientResponse.HttpClientResponse =>
  response instanceof ResponseWithoutToken ? response : new ResponseWithoutToken(request, response)

/** @internal */
export const errorWithoutToken = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest
): HttpClientError.HttpClientError => {
  const details = {
    request,
    ...(error.cause === undefined ? {} : { cause: error.cause }),
    ...(error.description === undefined ? {} : { description: error.description })
  }
  return error._tag === "RequestError"
    ? new HttpClientError.RequestError({ ...details, reason: error.reason })
    : new HttpClientError.ResponseError({
      ...details,
      reason: error.reason,
      response: responseWithoutToken(error.response, request)
    })
}
