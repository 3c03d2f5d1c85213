import { AccessToken, TokenProvider, TokenStore } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as TestClock from "effect/testing/TestClock"
import * as Fixtures from "./fixtures.js"

const options = {
  clientId: Fixtures.clientId,
  clientSecret: Redacted.make(Fixtures.clientSecret),
  scopes: ["employees.readonly", "legal-entities.readonly"]
}

describe("TokenStore", () => {
  it.effect("two providers of one client application over a shared store make one token request", () =>
    Effect.gen(function*() {
      const fake = Fixtures.makeFake()
      const store = yield* TokenStore.makeMemory
      const [a, b] = yield* Effect.all([
        TokenProvider.make(options),
        // the order of the scopes does not change the key
        TokenProvider.make({ ...options, scopes: [...options.scopes].reverse() })
      ]).pipe(Effect.provide(fake.layer), Effect.provideService(TokenStore.TokenStore, store))
      const both = yield* Effect.forkChild(Effect.all([a.get, b.get], { concurrency: "unbounded" }))
      // the second provider polls the store while the first one holds the lease
      yield* TestClock.adjust("1 second")
      const [first, second] = yield* Fiber.join(both)
      assert.strictEqual(fake.state.tokenRequests.length, 1)
      assert.isTrue(AccessToken.isSame(first, second))
    }).pipe(Effect.scoped))

  it.effect("a holder whose request fails releases the lease: the waiter requests at once, not at its expiry", () =>
    Effect.gen(function*() {
      const fake = Fixtures.makeFake()
      // the first token request fails after 500 ms (not retried), the next succeeds at once
      fake.state.onToken = (n) =>
        n === 1
          ? Effect.as(Effect.sleep("500 millis"), Fixtures.json(400, { error: "invalid_client" }))
          : Effect.succeed(Fixtures.okToken(n))
      const store = yield* TokenStore.makeMemory
      const [a, b] = yield* Effect.all([TokenProvider.make(options), TokenProvider.make(options)]).pipe(
        Effect.provide(fake.layer),
        Effect.provideService(TokenStore.TokenStore, store)
      )
      const first = yield* Effect.forkChild(Effect.result(a.get))
      yield* TestClock.adjust("10 millis")
      const second = yield* Effect.forkChild(b.get)
      // the memory store's lease lasts 10 s: one second is enough only if b stops waiting
      yield* TestClock.adjust("1 second")
      assert.isTrue(Result.isFailure(yield* Fiber.join(first)))
      const token = yield* Fiber.join(second)
      assert.strictEqual(Redacted.value(token.value), Fixtures.tokenFor(2))
    }).pipe(Effect.scoped))

  it.effect("a 401 drops the stored token only while it is still the stored one", () =>
    Effect.gen(function*() {
      const fake = Fixtures.makeFake()
      const store = yield* TokenStore.makeMemory
      const client = yield* store.forClient({ ...options, tokenUrl: Fixtures.tokenUrl })
      const [a, b] = yield* Effect.all([TokenProvider.make(options), TokenProvider.make(options)]).pipe(
        Effect.provide(fake.layer),
        Effect.provideService(TokenStore.TokenStore, store)
      )
      const first = yield* a.get
      yield* a.invalidate(first)
      assert.isTrue(Option.isNone(yield* client.get))
      const second = yield* b.get
      assert.strictEqual(fake.state.tokenRequests.length, 2)
      // a late 401 on the first token leaves the second one in the store
      yield* b.invalidate(first)
      const stored = yield* client.get
      assert.isTrue(Option.isSome(stored) && AccessToken.isSame(stored.value, second))
    }).pipe(Effect.scoped))

  it.effect("without a store (the default) each provider requests its own token", () =>
    Effect.gen(function*() {
      const fake = Fixtures.makeFake()
      const [a, b] = yield* Effect.all([TokenProvider.make(options), TokenProvider.make(options)]).pipe(
        Effect.provide(fake.layer)
      )
      yield* Effect.all([a.get, b.get])
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }).pipe(Effect.scoped))

  it.effect("layer draws on the store provided below it", () =>
    Effect.gen(function*() {
      const fake = Fixtures.makeFake()
      const layer = Layer.merge(TokenProvider.layer(options), Layer.empty)
      const token = yield* Effect.flatMap(TokenProvider.TokenProvider, (p) => p.get).pipe(
        Effect.provide(layer.pipe(Layer.provide([fake.layer, TokenStore.layerMemory])))
      )
      assert.strictEqual(Redacted.value(token.value), Fixtures.tokenFor(1))
    }))
})
