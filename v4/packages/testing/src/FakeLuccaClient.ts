/**
 * An in-memory `HttpClient.HttpClient` that answers from the emulator: no socket, and
 * the app runs in the calling fiber, so `TestClock` drives token expiry, rate-limit
 * windows, latency and delays.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as FakeLucca from "./FakeLucca.js"
import * as FakeLuccaApp from "./FakeLuccaApp.js"

const bodyOf = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<BodyInit | undefined> => {
  switch (request.body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Raw":
      return Effect.succeed(request.body.body as BodyInit)
    case "Uint8Array":
      return Effect.succeed(request.body.body as BodyInit)
    case "FormData":
      return Effect.succeed(request.body.formData)
    case "Stream":
      return Stream.toReadableStreamEffect(request.body.stream) as Effect.Effect<BodyInit>
  }
}

/**
 * Builds the client. Requests to `FakeLucca.tokenUrl`'s host reach the token
 * endpoint, requests to an account's URL reach its API; any other host fails with a
 * `HttpClientError` whose reason is a `TransportError` naming the host, as an unknown host would.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<HttpClient.HttpClient, never, FakeLucca.FakeLucca> = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  const tokenOrigin = new URL(fake.tokenUrl).origin
  const tokenApp = FakeLuccaApp.make({ tokenEndpoint: true, accountApi: false })
  const accountApps = new Map(
    fake.accounts.map((account) => [
      account.url,
      FakeLuccaApp.make({ account: account.name, tokenEndpoint: false, accountApi: true })
    ])
  )
  const knownHosts = [tokenOrigin, ...accountApps.keys()].join(", ")

  return HttpClient.make((request, url) => {
    const app = url.origin === tokenOrigin ? tokenApp : accountApps.get(url.origin)
    if (app === undefined) {
      return Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({
            request,
            description: `Fake Lucca does not serve ${url.host} (it serves ${knownHosts})`
          })
        })
      )
    }
    return Effect.gen(function*() {
      const body = yield* bodyOf(request)
      const headers = new globalThis.Headers(request.headers)
      headers.delete("content-length")
      const webRequest = yield* Effect.try({
        try: () =>
          new Request(url, {
            method: request.method,
            headers,
            body: body ?? null,
            ...(request.body._tag === "Stream" ? { duplex: "half" } : {})
          } as RequestInit),
        // e.g. a GET with a body, which fetch refuses too
        catch: (cause) =>
          new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause }) })
      })
      // Run the app here, in the caller's fiber (not through a web handler and its
      // own runtime), so that the caller's Clock and services apply.
      const response = yield* app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
        Effect.provideService(FakeLucca.FakeLucca, fake),
        Effect.catchTag("ConnectionDropped", (error) =>
          Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({ request, cause: error, description: error.message })
            })
          ))
      )
      return HttpClientResponse.fromWeb(
        request,
        HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD" })
      )
    })
  })
})

/**
 * Provides `HttpClient.HttpClient` from a `FakeLucca` in the context.
 *
 * @example
 * ```ts
 * import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
 * import { Effect, Layer } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * // the HttpClient over an emulator the test also drives (here: one 503 on the next token request)
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeLucca.FakeLucca
 *   yield* fake.injectFault("token", FakeLucca.Fault.ServiceUnavailable())
 *   const response = yield* HttpClient.post(FakeLucca.tokenUrl)
 *   console.log(response.status) // 503
 * }).pipe(Effect.provide(Layer.provideMerge(FakeLuccaClient.layer, FakeLucca.layer())))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, FakeLucca.FakeLucca> = Layer.effect(
  HttpClient.HttpClient,
  make
)

/**
 * A new emulator and the in-memory client over it, in one layer. The rate limit is off
 * unless `options.rateLimit` turns it on.
 *
 * @example
 * ```ts
 * import { LuccaClient } from "@effect-lucca/core"
 * import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
 * import { Effect, Layer, Redacted, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // the client under test, over the in-memory emulator: no socket, no network
 * const Client = LuccaClient.layer({
 *   clientId: FakeLucca.defaultClientId,
 *   clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
 *   scopes: ["employees.readonly"],
 *   accountUrl: FakeLucca.defaultAccountUrl
 * }).pipe(Layer.provide(FakeLuccaClient.layerFake()))
 *
 * const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
 *   Stream.runCount,
 *   Effect.provide(Client)
 * )
 *
 * Effect.runPromise(program).then((count) => console.log(`${count} employees`))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (
  options?: FakeLucca.Options
): Layer.Layer<HttpClient.HttpClient | FakeLucca.FakeLucca> => Layer.provideMerge(layer, FakeLucca.layer(options))
