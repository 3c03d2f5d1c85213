/**
 * The token is only ever sent to the account origin. A redirect to another origin must not
 * carry it, and a token request never follows a redirect (the secret would be posted
 * again): checked for the HTTP layers users plug in on Node, over real loopback sockets.
 * Ported from the Effect 3 line.
 */
import { ClientCredentials, LuccaClient, LuccaError, TokenProvider } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** A loopback server for the scope of the test; records the Authorization header it sees. */
const serve = (handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void) =>
  Effect.gen(function*() {
    const seen: Array<string | undefined> = []
    const server = Http.createServer((request, response) => {
      seen.push(request.headers.authorization)
      handler(request, response)
    })
    yield* Effect.acquireRelease(
      Effect.callback<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, seen }
  })

const layers: Array<[string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient.layerUndici", NodeLucca.layerHttpClient],
  ["FetchHttpClient", FetchHttpClient.layer]
]

describe("redirects", () => {
  for (const [name, httpLayer] of layers) {
    for (const status of [302, 307]) {
      it.effect(`${name}: a ${status} to another origin never receives the token`, () =>
        Effect.gen(function*() {
          const elsewhere = yield* serve((_, response) => {
            response.writeHead(200, { "content-type": "application/json" }).end("{}")
          })
          const account = yield* serve((_, response) => {
            response.writeHead(status, { location: `${elsewhere.url}/collect` }).end()
          })
          const client = yield* LuccaClient.make({
            tokenProvider: TokenProvider.makeStatic("the-token"),
            accountUrl: account.url,
            rateLimit: false
          }).pipe(Effect.provide(yield* Layer.build(httpLayer)))
          const response = yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
          assert.deepStrictEqual(account.seen, ["Bearer the-token"])
          assert.isTrue(elsewhere.seen.every((header) => header === undefined), `${name} forwarded the token`)
          // undici does not follow redirects; fetch follows them without the header
          assert.include([status, 200], response.status)
        }))
    }
  }

  // Security finding 2: fetch follows 307 and 308 by itself, re-posting the form body (and
  // the secret) to wherever the token host points.
  for (const [name, httpLayer] of layers) {
    for (const status of [301, 302, 307, 308]) {
      it.effect(`${name}: a token request answered ${status} is not followed, and fails for good`, () =>
        Effect.gen(function*() {
          const elsewhere = yield* serve((_, response) => {
            response.writeHead(200, { "content-type": "application/json" }).end(
              JSON.stringify({ access_token: "stolen", token_type: "Bearer", expires_in: 1800 })
            )
          })
          const tokenHost = yield* serve((_, response) => {
            response.writeHead(status, { location: `${elsewhere.url}/connect/token` }).end()
          })
          const error = yield* ClientCredentials.requestToken({
            clientId: "id",
            clientSecret: Redacted.make("the-secret"),
            scopes: ["employees.readonly"],
            tokenUrl: `${tokenHost.url}/connect/token`
          }).pipe(Effect.provide(yield* Layer.build(httpLayer)), Effect.flip)
          assert.strictEqual(elsewhere.seen.length, 0, `${name} re-posted the token request`)
          assert.strictEqual(tokenHost.seen.length, 1)
          assert.instanceOf(error, LuccaError.TokenRequestError)
          if (error._tag !== "TokenRequestError") return
          assert.strictEqual(error.reason, "Redirect")
          assert.isFalse(error.transient, "a redirect is a configuration error: never retried")
        }))
    }
  }
})
