import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as FakeLucca from "../src/FakeLucca.js"
import * as FakeLuccaClient from "../src/FakeLuccaClient.js"

/** A fresh emulator and its in-memory client for one test. */
export const withFake = (options?: FakeLucca.Options) => Effect.provide(FakeLuccaClient.layerFake(options))

export const execute = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request))

export const tokenRequest = (params: Record<string, string>) =>
  HttpClientRequest.post(FakeLucca.tokenUrl).pipe(HttpClientRequest.bodyUrlParams(params))

export const credentials = {
  grant_type: "client_credentials",
  client_id: FakeLucca.defaultClientId,
  client_secret: FakeLucca.defaultClientSecret
}

/** Gets a token, asserting success. */
export const getToken = (params?: Record<string, string | undefined>) =>
  Effect.gen(function*() {
    const merged: Record<string, string> = {}
    for (const [key, value] of Object.entries({ ...credentials, ...params })) {
      if (value !== undefined) merged[key] = value
    }
    const response = yield* execute(tokenRequest(merged))
    const body = (yield* response.json) as { access_token: string; expires_in: number }
    assert.strictEqual(response.status, 200, JSON.stringify(body))
    return body.access_token
  })

/** A GET on the account API with the `Api-Version` Lucca's description requires. */
export const api = (path: string, token?: string, baseUrl: string = FakeLucca.defaultAccountUrl) => {
  const request = HttpClientRequest.get(path.startsWith("http") ? path : `${baseUrl}${path}`).pipe(
    HttpClientRequest.setHeader("api-version", FakeLucca.defaultApiVersion)
  )
  return token === undefined ? request : HttpClientRequest.bearerToken(request, token)
}

/** Executes and decodes the body as JSON (or `null` for an empty body). */
export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const response = yield* execute(request)
    const text = yield* response.text
    return { response, status: response.status, headers: response.headers, body: text === "" ? null : JSON.parse(text) }
  })

export const get = (path: string, token?: string) => send(api(path, token))
