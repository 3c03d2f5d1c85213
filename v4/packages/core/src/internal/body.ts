import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
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
