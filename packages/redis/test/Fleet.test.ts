/**
 * Fleets of real Node processes sharing a private `redis-server`, against the emulator on
 * loopback. Outside CI the suite is skipped when `redis-server` is not installed; in CI
 * (CI=true) it fails instead.
 */
import { FakeLucca, FakeLuccaServer, SecretHygiene } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Processes from "./fixtures/processes.js"
import type * as Worker from "./fixtures/worker.js"

const installed = Processes.redisServerInstalled()
if (!installed) {
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed (CI=true): apt-get install redis-server")
  }
  console.warn(
    "packages/redis: redis-server is not installed, the Redis suite is skipped (apt-get install redis-server)"
  )
}

const fleetSize = 4

const withFleet = <A, E>(
  fake: FakeLucca.Options,
  body: (
    env: {
      readonly redis: Processes.RedisServer
      readonly fake: FakeLucca.Service
      readonly input: (overrides: Partial<Worker.Input>) => Worker.Input
    }
  ) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.gen(function*() {
    const redis = yield* Processes.redisServer
    const server = yield* FakeLuccaServer.FakeLuccaServer
    const emulator = yield* FakeLucca.FakeLucca
    const input = (overrides: Partial<Worker.Input>): Worker.Input => ({
      tokenUrl: server.tokenUrl,
      accountUrl: server.url,
      clientId: FakeLucca.defaultClientId,
      clientSecret: FakeLucca.defaultClientSecret,
      scopes: ["employees.readonly"],
      path: "/lucca-api/employees",
      redisUrl: redis.url,
      leaseTtlMillis: 5_000,
      requests: 3,
      intervalMillis: 0,
      rateLimit: false,
      ...overrides
    })
    return yield* body({ redis, fake: emulator, input })
  }).pipe(
    Effect.provide(FakeLuccaServer.layerFake({ fake: { seed: 13, ...fake } })),
    Effect.scoped
  )

const fleet = (inputs: ReadonlyArray<Worker.Input>) =>
  Effect.forEach(inputs, Processes.spawnWorker, { concurrency: "unbounded" })

const runAll = (processes: ReadonlyArray<Processes.Process>) =>
  Effect.zipRight(
    Effect.forEach(processes, (p) => p.go, { discard: true }),
    Effect.forEach(processes, (p) => p.result, { concurrency: "unbounded" })
  )

/** Nothing in Redis holds the client secret or an issued token, in any encoding. */
const assertNothingInClear = (redis: Processes.RedisServer, fake: FakeLucca.Service) =>
  Effect.gen(function*() {
    const texts = yield* Processes.dump(redis.client)
    const tokens = yield* fake.issuedTokens
    assert.isAbove(tokens.length, 0)
    const secrets = [FakeLucca.defaultClientSecret, ...tokens.map(Redacted.value)]
    for (const secret of secrets) {
      for (const encoding of SecretHygiene.encodings(secret)) {
        for (const text of texts) assert.notInclude(text, encoding)
      }
    }
    return texts
  })

/** Runs `effect` every 50 ms until `done` holds, for at most 10 s. */
const pollUntil = <A>(done: (a: A) => boolean) => <E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.filterOrFail(done, () => "not yet"),
    Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.intersect(Schedule.recurs(200))))
  )

const tokenKeys = (redis: Processes.RedisServer) =>
  Effect.promise(() => redis.client.keys("effect-lucca:token:*")).pipe(
    Effect.map((keys) => keys.filter((key) => !key.endsWith(":lease")))
  )

describe.skipIf(!installed)("LuccaRedis fleet", () => {
  it.live(
    "4 processes on a cold cache make exactly 1 token request; nothing is stored in clear",
    () =>
      withFleet({}, ({ fake, input, redis }) =>
        Effect.gen(function*() {
          // a slow token endpoint, so that every process asks while the first request runs
          yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.seconds(1) }), 1)
          const processes = yield* fleet(Array.from({ length: fleetSize }, () => input({})))
          const results = yield* runAll(processes)
          for (const result of results) assert.deepStrictEqual(result.failures, [])
          assert.strictEqual((yield* fake.stats).token.issued, 1)
          // the token key expires with the token
          const [key] = yield* tokenKeys(redis)
          assert.isDefined(key)
          const ttl = yield* Effect.promise(() => redis.client.pttl(key!))
          assert.isTrue(ttl > 0 && ttl <= 1_800_000)
          yield* assertNothingInClear(redis, fake)
        })),
    { timeout: 60_000 }
  )

  it.live(
    "over several token lifetimes the fleet makes one token request per refresh",
    () =>
      withFleet({ tokenLifetime: Duration.seconds(3) }, ({ fake, input, redis }) =>
        Effect.gen(function*() {
          const started = Date.now()
          // refresh 600 ms before expiry: one token request per 2.4 s of a 3 s lifetime
          const processes = yield* fleet(
            Array.from(
              { length: fleetSize },
              () => input({ requests: 30, intervalMillis: 250, refreshWindowMillis: 600, hardMarginMillis: 300 })
            )
          )
          const results = yield* runAll(processes)
          for (const result of results) assert.deepStrictEqual(result.failures, [])
          const cycles = (Date.now() - started) / 2_400
          const issued = (yield* fake.stats).token.issued
          // alone, each of the 4 processes would request once per cycle
          assert.isAtLeast(issued, 2)
          assert.isAtMost(issued, Math.ceil(cycles) + 1)
          yield* assertNothingInClear(redis, fake)
        })),
    { timeout: 60_000 }
  )

  it.live("4 processes × 25 requests under the emulator's rate limit meet no 429", () =>
    // Lucca's 50 a minute, with time scaled down 20 times: 50 every 3 s
    withFleet({ rateLimit: { requests: 50, window: Duration.seconds(3) } }, ({ fake, input }) =>
      Effect.gen(function*() {
        const processes = yield* fleet(
          Array.from(
            { length: fleetSize },
            // a margin under the limit for the scheduling and network jitter of 4 processes
            () => input({ requests: 25, rateLimit: { requests: 45, perMillis: 3_000, burst: 5 } })
          )
        )
        const results = yield* runAll(processes)
        for (const result of results) assert.deepStrictEqual(result.failures, [])
        const stats = yield* fake.stats
        assert.strictEqual(stats.api.byStatus["429"] ?? 0, 0)
        assert.strictEqual(stats.api.byStatus["200"], fleetSize * 25)
      })), { timeout: 60_000 })

  it.live(
    "the lease holder killed mid-request: another process takes over once the lease expires",
    () =>
      withFleet({}, ({ fake, input, redis }) =>
        Effect.gen(function*() {
          yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.seconds(20) }), 1)
          const [holder, other] = yield* fleet([
            input({ requests: 1, leaseTtlMillis: 2_000 }),
            input({ requests: 1, leaseTtlMillis: 2_000 })
          ])
          yield* holder!.go
          // the holder has taken the lease and its token request hangs
          yield* Effect.promise(() => redis.client.keys("effect-lucca:token:*:lease")).pipe(
            pollUntil((keys) => keys.length > 0)
          )
          holder!.child.kill("SIGKILL")
          yield* other!.go
          const result = yield* other!.result
          assert.deepStrictEqual(result.failures, [])
          assert.strictEqual(result.ok, 1)
          assert.strictEqual((yield* fake.stats).token.issued, 1)
        })),
    { timeout: 60_000 }
  )

  it.live(
    "Redis stopped mid-run: every request succeeds; restarted: the fleet shares again",
    () =>
      withFleet({ tokenLifetime: Duration.seconds(2) }, ({ fake, input, redis }) =>
        Effect.gen(function*() {
          const processes = yield* fleet(
            Array.from({ length: fleetSize }, () => input({ requests: 40, intervalMillis: 200 }))
          )
          yield* Effect.forEach(processes, (p) => p.go, { discard: true })
          yield* Effect.sleep("1500 millis")
          yield* redis.stop
          yield* Effect.sleep("1500 millis")
          yield* redis.start
          // the restarted Redis is empty: a shared token and a shared budget show up again
          const keys = yield* Effect.promise(() => redis.client.keys("effect-lucca:*")).pipe(
            pollUntil((keys) => keys.some((key) => key.startsWith("effect-lucca:token:")))
          )
          assert.isTrue(keys.some((key) => key.startsWith("effect-lucca:token:")))
          const results = yield* Effect.forEach(processes, (p) => p.result, { concurrency: "unbounded" })
          for (const result of results) {
            assert.deepStrictEqual(result.failures, [])
            assert.strictEqual(result.ok, 40)
          }
          assert.isAbove(results.reduce((sum, result) => sum + result.fallbacks, 0), 0)
          yield* assertNothingInClear(redis, fake)
        })),
    { timeout: 60_000 }
  )
})
