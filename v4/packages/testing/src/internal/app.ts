import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Result from "effect/Result"
import { FakeLucca } from "../FakeLucca.js"
import type * as FakeLuccaApp from "../FakeLuccaApp.js"
import type { ConnectionDropped } from "../FakeLuccaError.js"
import * as AccountApi from "./accountApi.js"
import * as Controls from "./controls.js"
import * as Cors from "./cors.js"
import * as Faults from "./faults.js"
import * as Problem from "./problem.js"
import * as State from "./state.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

/**
 * The URL as the client addressed it: absolute already when the request comes from
 * the in-memory client, rebuilt from the `Host` header on a socket.
 */
const absoluteUrl = (request: HttpServerRequest.HttpServerRequest, fallbackOrigin: string): URL => {
  if (/^https?:\/\//.test(request.originalUrl)) return new URL(request.originalUrl)
  const host = request.headers.host
  return new URL(request.originalUrl, host === undefined ? fallbackOrigin : `http://${host}`)
}

const tokenRequest = (state: State.State, url: URL) =>
  Effect.gen(function*() {
    const fault = yield* Faults.apply(state, "token", url.pathname).pipe(
      Effect.tapError(() => State.recordToken(state, "faults"))
    )
    if (Option.isSome(fault)) {
      yield* State.recordToken(state, "faults")
      return fault.value
    }
    return yield* TokenEndpoint.handle(state)
  })

/** @internal */
export const make = (
  options?: FakeLuccaApp.Options
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ConnectionDropped,
  FakeLucca | HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function*() {
    const state = State.getState(yield* FakeLucca)
    const account = State.findAccount(state, options?.account)
    if (Result.isFailure(account)) return yield* Effect.die(account.failure)
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = absoluteUrl(request, account.success.url)
    const path = url.pathname
    const isToken = options?.tokenEndpoint !== false && path === "/connect/token"
    const isApi = options?.accountApi !== false && (path === "/lucca-api" || path.startsWith("/lucca-api/"))

    if (request.method === "OPTIONS") {
      return Cors.preflight(request, isToken ? ["POST", "OPTIONS"] : ["GET", "HEAD", "POST", "OPTIONS"])
    }

    const { latency } = yield* Ref.get(state.settings)
    if (Duration.isGreaterThan(latency, Duration.zero)) yield* Effect.sleep(latency)

    let response: HttpServerResponse.HttpServerResponse
    if (isToken) {
      response = yield* tokenRequest(state, url)
    } else if (isApi) {
      response = yield* AccountApi.handle(state, account.success, url)
    } else if (path.startsWith(Controls.prefix)) {
      response = yield* Controls.handle(state, account.success, url)
    } else {
      response = Problem.make({ status: 404, instance: path, detail: "No such endpoint." })
    }
    return Cors.decorate(request, response)
  }).pipe(
    Effect.catchDefect((defect) =>
      Effect.gen(function*() {
        yield* Effect.logError("Fake Lucca failed to answer", defect)
        const request = yield* HttpServerRequest.HttpServerRequest
        return Problem.make({ status: 500, instance: request.url.split("?")[0], detail: "The emulator failed." })
      })
    ),
    Effect.withLogSpan("fake-lucca")
  )
