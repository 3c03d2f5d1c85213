/**
 * A bare `@effect/platform` `HttpClient` over undici (`NodeHttpClient.layerUndici`, the
 * client `NodeLucca` uses) with a static bearer header: what this library adds is
 * measured against it.
 *
 * @since 0.0.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Contender from "./Contender.js"

/**
 * A requester over a runtime: `once` runs one request, `batch` runs them with
 * `Effect.forEach` and a concurrency, as an Effect program would.
 *
 * @since 0.0.0
 * @category constructors
 */
export const effectRequester = <R, E>(
  runtime: ManagedRuntime.ManagedRuntime<R, E>,
  once: Effect.Effect<number, unknown, R>
): Contender.Requester => ({
  once: () => runtime.runPromise(once),
  batch: (count, concurrency) => {
    let ok = 0
    const counted = Effect.map(once, (status) => {
      if (status === 200) ok++
    })
    return runtime.runPromise(
      Effect.forEach(Array.from({ length: count }), () => counted, { concurrency, discard: true })
    ).then(() => ok)
  },
  close: () => runtime.dispose()
})

/**
 * The bare client with a static token, sending the same headers as `LuccaClient`.
 *
 * @since 0.0.0
 * @category requesters
 */
export const staticRequester = async (
  target: Contender.Target,
  accessToken: string
): Promise<Contender.Requester> => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = (await runtime.runPromise(HttpClient.HttpClient)).pipe(
    HttpClient.mapRequest(HttpClientRequest.setHeaders(Contender.apiHeaders(accessToken)))
  )
  const url = new URL(target.path, target.url).toString()
  return effectRequester(
    runtime,
    Effect.flatMap(client.get(url), (response) => Effect.as(response.text, response.status))
  )
}
