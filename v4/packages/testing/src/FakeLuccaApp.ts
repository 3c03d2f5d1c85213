/**
 * The emulator as one HTTP app of `effect/http` (an Effect of a response, for a request in context): the token endpoint
 * (`POST /connect/token`) and an account's API (`/lucca-api/...`). `FakeLuccaClient`
 * and `FakeLuccaServer` serve it; serve it yourself with `HttpServer.serve` if you like.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { FakeLucca } from "./FakeLucca.js"
import type { ConnectionDropped } from "./FakeLuccaError.js"
import * as internal from "./internal/app.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The account whose API is served; default: the first account. */
  readonly account?: string | undefined
  /** Serve `POST /connect/token`; default `true`. */
  readonly tokenEndpoint?: boolean | undefined
  /** Serve `/lucca-api/...`; default `true`. */
  readonly accountApi?: boolean | undefined
}

/**
 * The app. Absolute URLs in its answers (resource `url`s, pagination links) use the
 * origin the request was sent to: the request URL when it is absolute (in memory),
 * else `http://` and the `Host` header.
 *
 * Fails with `ConnectionDropped` when a `Disconnect` fault is due: the transport is
 * expected to drop the connection. An `account` the emulator does not serve is a bug:
 * the app dies on its first request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ConnectionDropped,
  FakeLucca | HttpServerRequest.HttpServerRequest
> = internal.make
