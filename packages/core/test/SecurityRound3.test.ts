/**
 * Issue 18 (the third security review): the core's findings, each with the behaviour that
 * was observed on `main` before its fix. The Node end-to-end tests of finding 1 are in
 * `packages/platform-node/test/OneShotBodies.test.ts`; the Redis ones in `packages/redis`.
 */
import { LuccaClient, LuccaError } from "@effect-lucca/core"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { accountUrl, bearer, credentials, json, makeFake, problem, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl, rateLimit: false as const }

describe("finding 1: only a body known to be re-sendable is sent again", () => {
  it.scoped("raw ArrayBuffer, Blob, URLSearchParams and FormData bodies are retried after a 401; other raw values are not", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      // each round, the first request is refused and its retry accepted
      let refuse = true
      fake.state.onApi = () => {
        const response = refuse ? problem(401, "Unauthorized") : json(201, {})
        refuse = false
        return Effect.succeed(response)
      }
      const form = new FormData()
      form.set("name", "a file")
      const send = (body: unknown) => {
        refuse = true
        fake.state.apiRequests.length = 0
        return client.execute(
          HttpClientRequest.post("/lucca-api/files").pipe(HttpClientRequest.setBody(HttpBody.raw(body)))
        ).pipe(Effect.either)
      }
      for (const body of [new ArrayBuffer(4), new Blob(["data"]), new URLSearchParams({ a: "1" }), form]) {
        const result = yield* send(body)
        assert.isTrue(result._tag === "Right" && result.right.status === 201)
        assert.strictEqual(fake.state.apiRequests.length, 2)
      }
      // an async iterable, an object whose reading is unknown: sent once, never again
      const iterable = (async function*() {
        yield new TextEncoder().encode("data")
      })()
      for (const body of [iterable, { read: () => "data" }]) {
        const result = yield* send(body)
        assert.isTrue(result._tag === "Left" && result.left._tag === "Unauthorized")
        assert.strictEqual(fake.state.apiRequests.length, 1)
      }
    }))
})

describe("finding 5: a 401 on a body that cannot be sent twice still drops the refused token", () => {
  it.scoped("three stream uploads after a revocation: the first fails, the next two go out with a new token", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const client = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      yield* client.execute(HttpClientRequest.get("/lucca-api/employees"))
      // token 1 is revoked
      fake.state.onApi = (request) =>
        Effect.succeed(bearer(request) === tokenFor(1) ? problem(401, "Unauthorized") : json(201, {}))
      const upload = client.execute(
        HttpClientRequest.post("/lucca-api/files").pipe(
          HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("data")))
        )
      ).pipe(Effect.either)
      const first = yield* upload
      assert.isTrue(first._tag === "Left" && first.left instanceof LuccaError.Unauthorized && !first.left.retried)
      const rest = [yield* upload, yield* upload]
      assert.isTrue(rest.every((result) => result._tag === "Right" && result.right.status === 201))
      assert.deepStrictEqual(fake.state.apiRequests.slice(1).map(bearer), [tokenFor(1), tokenFor(2), tokenFor(2)])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))
})
