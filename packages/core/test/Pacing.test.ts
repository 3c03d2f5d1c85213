import { LuccaClient, LuccaPacing } from "@effect-lucca/core"
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"

const payroll = { clientId: "payroll-app", clientSecret: "payroll-app-secret" }

/** The emulator's client, recording when each account request reaches it. */
const wireOf = (onTheWire: Array<number>) =>
  Effect.map(FakeLuccaClient.make, (client) =>
    HttpClient.tapRequest(
      client,
      (request) =>
        new URL(request.url).origin === FakeLucca.defaultAccountUrl
          ? Effect.map(Clock.currentTimeMillis, (now) => void onTheWire.push(now))
          : Effect.void
    ))

/**
 * Two client applications of one account, each with a client of its own (as two parts of
 * a program would build them), over the in-memory emulator with Lucca's limit on. The
 * times at which account requests reach the emulator are recorded.
 */
const twoApplications = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  yield* fake.registerApplication({ name: "payroll", ...payroll })
  const onTheWire: Array<number> = []
  const wire = yield* wireOf(onTheWire)
  const client = (clientId: string, clientSecret: string) =>
    LuccaClient.make({
      clientId,
      clientSecret: Redacted.make(clientSecret),
      scopes: ["employees.readonly"],
      accountUrl: FakeLucca.defaultAccountUrl
    }).pipe(Effect.provideService(HttpClient.HttpClient, wire))
  const directory = yield* client(FakeLucca.defaultClientId, FakeLucca.defaultClientSecret)
  const payrollClient = yield* client(payroll.clientId, payroll.clientSecret)
  return { fake, onTheWire, clients: [directory, payrollClient] as const }
})

/** Moves the test clock a second at a time until `fiber` is done, for at most `seconds`. */
const runFor = <A, E>(fiber: Fiber.Fiber<A, E>, seconds: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.join(fiber)
  })

/** One GET of the employees, as its status. */
const getStatus = (client: LuccaClient.Service) =>
  Effect.map(client.execute(HttpClientRequest.get("/lucca-api/employees")), (response) => response.status)

/** `perClient` GETs from each client, all at once, in a fiber of their own. */
const forkGets = (clients: ReadonlyArray<LuccaClient.Service>, perClient: number) =>
  Effect.fork(
    Effect.all(clients.flatMap((client) => Array.from({ length: perClient }, () => getStatus(client))), {
      concurrency: "unbounded"
    })
  )

const mostInAnyWindow = (times: ReadonlyArray<number>, windowMillis: number) =>
  Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + windowMillis).length))

describe("pacing: one budget per account in the process", () => {
  it.scoped("two applications × 10 concurrent requests put one burst on the wire in the first second", () =>
    Effect.gen(function*() {
      const { clients, fake, onTheWire } = yield* twoApplications
      const statuses = yield* forkGets(clients, 10)
      assert.deepStrictEqual(yield* runFor(statuses, 120), Array.from({ length: 20 }, () => 200))
      assert.strictEqual(onTheWire.length, 20)
      // the default burst is 5: one burst for both applications, not one each
      assert.strictEqual(onTheWire.filter((t) => t < 1_000).length, 5)
      assert.isAtMost(mostInAnyWindow(onTheWire, 60_000), 50)
      assert.strictEqual((yield* fake.stats).api.byStatus["429"], undefined)
    }).pipe(Effect.provide(FakeLuccaClient.layerFake({ rateLimit: FakeLucca.luccaRateLimit }))))

  it.scoped(
    "two applications × 60 requests never send more than 50 in any 60 s window, and meet no 429",
    () =>
      Effect.gen(function*() {
        const { clients, fake, onTheWire } = yield* twoApplications
        const statuses = yield* forkGets(clients, 60)
        assert.deepStrictEqual(yield* runFor(statuses, 300), Array.from({ length: 120 }, () => 200))
        assert.strictEqual(onTheWire.length, 120)
        assert.isAtMost(mostInAnyWindow(onTheWire, 60_000), 50)
        // and the budget is used: 120 requests take about 120 / 50 minutes, not twice that
        assert.isBelow(Math.max(...onTheWire), 180_000)
        assert.strictEqual((yield* fake.stats).api.byStatus["429"], undefined)
      }).pipe(Effect.provide(FakeLuccaClient.layerFake({ rateLimit: FakeLucca.luccaRateLimit }))),
    {
      // five simulated minutes of TestClock: CPU-bound, slow on a loaded machine, never waiting on the clock
      timeout: 60_000
    }
  )

  it.scoped("requests take their turns once the token is at hand: a slow token endpoint does not bunch them up", () =>
    Effect.gen(function*() {
      const { clients, fake, onTheWire } = yield* twoApplications
      yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: "8 seconds" }), 1)
      const statuses = yield* forkGets([clients[0]], 20)
      assert.deepStrictEqual(yield* runFor(statuses, 120), Array.from({ length: 20 }, () => 200))
      // turns taken while the token was on its way would all reach the server at once
      const first = Math.min(...onTheWire)
      assert.isAtLeast(first, 8_000)
      assert.strictEqual(onTheWire.filter((t) => t < first + 1_000).length, 5)
      assert.strictEqual((yield* fake.stats).api.byStatus["429"], undefined)
    }).pipe(Effect.provide(FakeLuccaClient.layerFake({ rateLimit: FakeLucca.luccaRateLimit }))))

  it.scoped("the retry after a 401 takes a turn of the budget too", () =>
    Effect.gen(function*() {
      const { clients, fake, onTheWire } = yield* twoApplications
      const one = getStatus(clients[0])
      // the burst is spent at once
      yield* Effect.all(Array.from({ length: 5 }, () => one), { concurrency: "unbounded" })
      assert.strictEqual(onTheWire.length, 5)
      yield* fake.revokeTokens()
      const status = yield* Effect.fork(one)
      assert.strictEqual(yield* runFor(status, 60), 200)
      // the refused request and its retry, each in a turn of its own (a refill every 1.34 s)
      assert.strictEqual(onTheWire.length, 7)
      assert.isAtLeast(onTheWire[6]! - onTheWire[5]!, 1_000)
      assert.strictEqual((yield* fake.stats).api.byStatus["401"], 1)
    }).pipe(Effect.provide(FakeLuccaClient.layerFake({ rateLimit: FakeLucca.luccaRateLimit }))))

  it.scoped("a client given a RateBudget of its own draws on it instead of the process budget", () =>
    Effect.gen(function*() {
      const { clients, onTheWire } = yield* twoApplications
      const five = (client: LuccaClient.Service) =>
        Effect.forEach(
          Array.from({ length: 5 }),
          () => client.execute(HttpClientRequest.get("/lucca-api/employees")),
          { concurrency: "unbounded", discard: true }
        )
      // the process budget of the account is spent...
      yield* five(clients[0])
      assert.strictEqual(onTheWire.length, 5)
      // ...but a client with a limiter of its own sends its burst at once
      const limiter = yield* Layer.build(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)))
      const own = yield* Layer.build(
        LuccaClient.layer({
          clientId: payroll.clientId,
          clientSecret: Redacted.make(payroll.clientSecret),
          scopes: ["employees.readonly"],
          accountUrl: FakeLucca.defaultAccountUrl
        }).pipe(
          Layer.provide(Layer.succeed(LuccaPacing.RateBudget, Context.get(limiter, RateLimiter.RateLimiter))),
          Layer.provide(Layer.succeed(HttpClient.HttpClient, yield* wireOf(onTheWire)))
        )
      )
      yield* five(Context.get(own, LuccaClient.LuccaClient))
      assert.strictEqual(onTheWire.length, 10)
    }).pipe(Effect.provide(FakeLuccaClient.layerFake())))
})
