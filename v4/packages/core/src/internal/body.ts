import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpBody from "effect/http/HttpBody"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"

/**
 * How much of a body the client reads itself, and for how long.
 *
 * @internal
 */
export interface Limits {
  readonly maxBytes: number
  readonly timeout: Duration.Duration
}

/** @internal */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/** @internal */
export const tokenLimits: Limits = { maxBytes: 64 * 1024, timeout: defaultTimeout }

/** @internal */
export const problemLimits: Limits = { maxBytes: 1024 * 1024, timeout: defaultTimeout }

/** @internal */
export const jsonLimits: Limits = { maxBytes: 32 * 1024 * 1024, timeout: Duration.seconds(30) }

const decoder = new TextDecoder()

/**
 * Reads a body once, as text, failing with an `HttpClientError` (reason `DecodeError`)
 * when it is longer than `maxBytes` or takes longer than `timeout`: a server that stalls
 * after the headers, or sends 200 MB, must not hold the caller or its memory.
 *
 * @internal
 */
export const readText = (
  response: HttpClientResponse.HttpClientResponse,
  limits: Limits
): Effect.Effect<string, HttpClientError.HttpClientError> => {
  const fail = (description: string) =>
    new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: response.request, response, description })
    })
  const declared = Number(response.headers["content-length"])
  if (declared > limits.maxBytes) return Effect.fail(fail(`the body is larger than ${limits.maxBytes} bytes`))
  return Stream.runFoldEffect(
    response.stream,
    () => ({ chunks: [] as Array<Uint8Array>, size: 0 }),
    (acc, chunk) => {
      acc.size += chunk.length
      if (acc.size > limits.maxBytes) return Effect.fail(fail(`the body is larger than ${limits.maxBytes} bytes`))
      acc.chunks.push(chunk)
      return Effect.succeed(acc)
    }
  ).pipe(
    Effect.map(({ chunks, size }) => {
      if (chunks.length === 1) return decoder.decode(chunks[0])
      const all = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        all.set(chunk, offset)
        offset += chunk.length
      }
      return decoder.decode(all)
    }),
    Effect.timeoutOrElse({
      duration: limits.timeout,
      orElse: () => Effect.fail(fail(`the body did not arrive within ${Duration.format(limits.timeout)}`))
    })
  )
}

/**
 * Whether a request body can be sent a second time, whole: only values that are read
 * afresh on each send (bytes, a string, an `ArrayBuffer`, a `Blob`, a `FormData`,
 * `URLSearchParams`, or no body). A stream of any kind (`HttpBody.stream`, or a raw Node
 * `Readable` or web `ReadableStream`) is consumed by the first send, and anything else is
 * not known to be re-readable: a retry would send it empty, and the server could act on
 * the empty copy. The one rule for every retry of the client (after a 401, after a
 * transient answer).
 *
 * @internal
 */
export const isReplayable = (body: HttpBody.HttpBody): boolean => {
  switch (body._tag) {
    case "Empty":
    case "Uint8Array":
    case "FormData":
      return true
    case "Raw":
      return isReplayableValue(body.body)
    default:
      return false
  }
}

const isReplayableValue = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === "string" || value instanceof ArrayBuffer ||
  ArrayBuffer.isView(value) || (typeof Blob !== "undefined" && value instanceof Blob) ||
  (typeof FormData !== "undefined" && value instanceof FormData) ||
  (typeof URLSearchParams !== "undefined" && value instanceof URLSearchParams)
