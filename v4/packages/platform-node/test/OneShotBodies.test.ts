/**
 * A body that can be read only once (a Node `Readable`, a web `ReadableStream`, an Effect
 * `Stream`) is never sent a second time, neither by the retry after a 401 nor by the
 * retry of transient answers: the second copy would leave empty, and the server would act
 * on it. Over real loopback sockets, with undici (`NodeLucca.layerHttpClient`), against a
 * server that records what it receives. Ported from the Effect 3 line.
 */
import { LuccaClient, LuccaError } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"

interface Received {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly body: string
}

/**
 * A token endpoint (`token-1`, `token-2`, ...) and an account API on one loopback server.
 * The API answers `answer(request, index)`; every request it receives is recorded.
 */
const serve = (answer: (request: Received, index: number) => { readonly status: number; readonly body?: string }) =>
  Effect.gen(function*() {
    const received: Array<Received> = []
    let tokens = 0
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        if (request.url === "/connect/token") {
          tokens++
          response.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({ access_token: `token-${tokens}`, token_type: "Bearer", expires_in: 1800 })
          )
          return
        }
        const seen: Received = {
          method: request.method ?? "",
          path: request.url ?? "",
          authorization: request.headers.authorization,
          body: Buffer.concat(chunks).toString()
        }
        received.push(seen)
        const { body, status } = answer(seen, received.length - 1)
        response.writeHead(status, { "content-type": "application/problem+json" }).end(
          body ?? JSON.stringify({ title: `status ${status}`, status })
        )
      })
    })
    yield* Effect.acquireRelease(
      Effect.callback<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.callback<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    const url = `http://127.0.0.1:${port}`
    const client = yield* LuccaClient.make({
      clientId: "client-1",
      clientSecret: Redacted.make("secret-1"),
      scopes: ["employees.readonly"],
      tokenUrl: `${url}/connect/token`,
      accountUrl: url,
      rateLimit: false,
      requestRetry: { times: 2 }
    }).pipe(Effect.provide(yield* Layer.build(NodeLucca.layerHttpClient)))
    return { client, received, tokenRequests: () => tokens }
  })

const payload = "{\"name\":\"a file\",\"size\":11}"

const webStream = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(payload))
      controller.close()
    }
  })

// the first token is refused; any other is accepted, and the request is executed (201)
const revokedFirstToken = (request: Received) =>
  request.authorization === "Bearer token-1" ? { status: 401 } : { status: 201 }

describe("one-shot bodies are never sent twice", () => {
  it.live("a POST with HttpBody.raw(Readable) answered 401 fails with Unauthorized and reaches the server once", () =>
    Effect.gen(function*() {
      const { client, received } = yield* serve(revokedFirstToken)
      const request = HttpClientRequest.post("/lucca-api/files").pipe(
        HttpClientRequest.setBody(HttpBody.raw(Readable.from([Buffer.from(payload)]), {
          contentType: "application/json"
        }))
      )
      const error = yield* Effect.flip(client.execute(request))
      assert.instanceOf(error, LuccaError.Unauthorized)
      assert.deepStrictEqual(received.map((r) => [r.method, r.body]), [["POST", payload]])
    }).pipe(Effect.scoped))

  it.live("a POST with a web ReadableStream answered 401 fails with Unauthorized and reaches the server once", () =>
    Effect.gen(function*() {
      const { client, received } = yield* serve(revokedFirstToken)
      const request = HttpClientRequest.post("/lucca-api/files").pipe(
        HttpClientRequest.setBody(HttpBody.raw(webStream(), { contentType: "application/json" }))
      )
      const error = yield* Effect.flip(client.execute(request))
      assert.instanceOf(error, LuccaError.Unauthorized)
      assert.deepStrictEqual(received.map((r) => [r.method, r.body]), [["POST", payload]])
    }).pipe(Effect.scoped))

  it.live("a PUT with HttpBody.raw(Readable) answered 503 is returned as the 503, not sent again", () =>
    Effect.gen(function*() {
      const { client, received } = yield* serve((_, index) => ({ status: index === 0 ? 503 : 200 }))
      const request = HttpClientRequest.put("/lucca-api/files/1").pipe(
        HttpClientRequest.setBody(HttpBody.raw(Readable.from([Buffer.from(payload)]), {
          contentType: "application/json"
        }))
      )
      const response = yield* client.execute(request)
      assert.strictEqual(response.status, 503)
      assert.deepStrictEqual(received.map((r) => [r.method, r.body]), [["PUT", payload]])
    }).pipe(Effect.scoped))

  it.live("a PUT with a web ReadableStream answered 503 is returned as the 503, not sent again", () =>
    Effect.gen(function*() {
      const { client, received } = yield* serve((_, index) => ({ status: index === 0 ? 503 : 200 }))
      const request = HttpClientRequest.put("/lucca-api/files/1").pipe(
        HttpClientRequest.setBody(HttpBody.raw(webStream(), { contentType: "application/json" }))
      )
      const response = yield* client.execute(request)
      assert.strictEqual(response.status, 503)
      assert.deepStrictEqual(received.map((r) => [r.method, r.body]), [["PUT", payload]])
    }).pipe(Effect.scoped))

  it.live("re-sendable bodies (string, bytes) are still retried, whole", () =>
    Effect.gen(function*() {
      // each round, the first request is refused (its token revoked) and the retry accepted
      let refuse = true
      const { client, received } = yield* serve(() => {
        const status = refuse ? 401 : 201
        refuse = false
        return { status }
      })
      // (undici.request sends no raw ArrayBuffer, Blob, URLSearchParams or global FormData: the
      // core's tests cover those)
      const bodies: Array<[HttpBody.HttpBody, string]> = [
        [HttpBody.text(payload), payload],
        [HttpBody.raw(payload), payload],
        [HttpBody.raw(new TextEncoder().encode(payload)), payload]
      ]
      for (const [body, sent] of bodies) {
        received.length = 0
        refuse = true
        const response = yield* client.execute(
          HttpClientRequest.post("/lucca-api/files").pipe(
            HttpClientRequest.setBody(body)
          )
        )
        assert.strictEqual(response.status, 201)
        assert.deepStrictEqual(received.map((r) => r.body), [sent, sent])
      }
    }).pipe(Effect.scoped))
})
