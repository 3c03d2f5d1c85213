/**
 * The Effect 3 line's README example of a page over a backend token endpoint
 * (`BrowserLucca.test.ts` there), ported: in Node (which has `fetch`) with a page's globals
 * stubbed in, against the v4 emulator and a backend on loopback.
 */
import { LuccaClient } from "@effect-lucca/core"
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as BackendExample from "./examples/backendTokenProvider.js"
import { Employee, serveEmulator } from "./fixtures.js"

/** Runs `effect` with a page's globals in place, as on a main thread. */
const onMainThread = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const globals = globalThis as { window?: unknown; document?: unknown }
      const saved = { window: globals.window, document: globals.document }
      globals.window = globalThis
      globals.document = {}
      return saved
    }),
    () => effect,
    (saved) =>
      Effect.sync(() => {
        const globals = globalThis as { window?: unknown; document?: unknown }
        if (saved.window === undefined) delete globals.window
        else globals.window = saved.window
        if (saved.document === undefined) delete globals.document
        else globals.document = saved.document
      })
  )

/** A loopback server whose every request is answered by `handle`. */
const serveBackend = (handle: (response: Http.ServerResponse) => Promise<void>) =>
  Effect.gen(function*() {
    let calls = 0
    const server = Http.createServer((_, response) => {
      calls++
      handle(response).catch(() => response.writeHead(502).end())
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
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls }
  })

describe("BrowserLucca", () => {
  it.effect("the README's page over a backend token endpoint: the page gets tokens, never the secret", () =>
    Effect.gen(function*() {
      const { fake, server } = yield* serveEmulator
      // the application's backend: holds the secret, forwards the token endpoint's answer
      const backend = yield* serveBackend(async (response) => {
        const answer = await fetch(server.tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: FakeLucca.defaultClientId,
            client_secret: FakeLucca.defaultClientSecret,
            scope: "employees.readonly"
          })
        })
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text())
      })
      const layer = BackendExample.layer({ accountUrl: server.url, tokenEndpoint: `${backend.url}/api/lucca-token` })
      const page = yield* onMainThread(
        Effect.gen(function*() {
          const first = yield* LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Employee) }))
          // a revoked token: the provider asks the backend again
          yield* fake.revokeTokens()
          yield* LuccaClient.get("/lucca-api/employees", Schema.Unknown)
          return first
        }).pipe(Effect.provide(layer))
      )
      assert.isAbove(page.items.length, 0)
      assert.strictEqual(backend.calls(), 2)
      assert.strictEqual((yield* fake.stats).token.issued, 2)
    }))
})
