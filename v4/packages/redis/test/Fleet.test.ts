/**
 * Fleets of real Node processes sharing a private `redis-server`, against the emulator on
 * loopback. Outside CI the suite is skipped when `redis-server` is not installed; in CI
 * (CI=true) it fails instead.
 */
import { FakeLucca, FakeLuccaServer, SecretHygiene } from "@effect-lucca/testing"
import { assert, describe, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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
    "SKIPPED v4/packages/redis: test/Fleet.test.ts (redis-server is not installed: apt-get install redis-server)"
  )
}

const fleetSize = 4

/** A private Redis and 4 fleet processes, shared by the tests (starting Node with tsx is slow). */
class Pool extends Context.Service<Pool, {
  readonly redis: Processes.RedisServer
  readonly workers: ReadonlyArray<Processes.Process>
}>()("Pool") {}

const PoolLive = Layer.effect(
  Pool,
  Effect.all({
    redis: Processes.redisServer,
    workers: Effect.all(Array.from({ length: fleetSize }, () => Processes.spawnWorker), { concurrency: "unbounded" })
  })
)

const withFleet = <A, E>(
  fake: FakeLucca.Options,
  body: (
    env: {
      readonly redis: Processes.RedisServer
      readonly workers: ReadonlyArray<Processes.Process>
      readonly fake: FakeLucca.Service
      readonly input: (overrides: Partial<Worker.Input>) => Worker.Input
    }
  ) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.gen(function*() {
    const { redis, workers } = yield* Pool
    // every test starts from an empty Redis
    yield* Effect.promise(() => redis.client.flushall())
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
    return yield* body({ redis, workers, fake: emulator, input })
  }).pipe(
    Effect.provide(FakeLuccaServer.layerFake({ fake: { seed: 13, ...fake } })),
    Effect.scoped
  )

/** Prepares one job per worker, starts them together and collects their summaries. */
const runAll = (workers: ReadonlyArray<Processes.Process>, inputs: ReadonlyArray<Worker.Input>) =>
  Effect.gen(function*() {
    yield* Effect.forEach(workers, (worker, i) => worker.prepare(inputs[i]!), { concurrency: "unbounded" })
    yield* Effect.forEach(workers, (worker) => worker.go, { discard: true })
    return yield* Effect.forEach(workers, (worker) => worker.result, { concurrency: "unbounded" })
  })

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
    Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 200 })
  )

const tokenKeys = (redis: Processes.RedisServer) =>
  Effect.promise(() => redis.client.keys("effect-lucca:token:*")).pipe(
    Effect.map((keys) => keys.filter((key) => !key.endsWith(":lease")))
  )

describe.skipIf(!installed)("LuccaRedis fleet", () => {
  layer(PoolLive, { timeout: 60_000, excludeTestServices: true })((it) => {
    it.effect(
      "4 processes on a cold cache make exactly 1 token request; nothing is stored in clear",
      () =>
        withFleet({}, ({ fake, input, redis, workers }) =>
          Effect.gen(function*() {
            // a slow token endpoint, so that every process asks while the first request runs
            yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.seconds(1) }), 1)
            const results = yield* runAll(workers, workers.map(() => input({})))
            for (const result of results) assert.deepStrictEqual(result.failures, [])
            assert.strictEqual((yield* fake.stats).token.issued, 1)
            // the token key expires with the token
            const [key] = yield* tokenKeys(redis)
            assert.isDefined(key)
            const ttl = yield* Effect.promise(() => redis.client.pttl(key!))
            assert.isTrue(ttl > 0 && ttl <= 1_800_000)
            yield* assertNothingInClear(redis, fake)
          })),
      { timeout: 45_000 }
    )

    it.effect(
      "over several token lifetimes the fleet makes one token request per refresh",
      () =>
        withFleet({ tokenLifetime: Duration.seconds(2) }, ({ fake, input, redis, workers }) =>
          Effect.gen(function*() {
            const started = Date.now()
            // refresh 400 ms before expiry: one token request per 1.6 s of a 2 s lifetime
            const results = yield* runAll(
              workers,
              workers.map(() =>
                input({ requests: 30, intervalMillis: 200, refreshWindowMillis: 400, hardMarginMillis: 200 })
              )
            )
            for (const result of results) assert.deepStrictEqual(result.failures, [])
            const cycles = (Date.now() - started) / 1_600
            const issued = (yield* fake.stats).token.issued
            // alone, each of the 4 processes would request once per cycle
            assert.isAtLeast(issued, 2)
            assert.isAtMost(issued, Math.ceil(cycles) + 1)
            yield* assertNothingInClear(redis, fake)
          })),
      { timeout: 45_000 }
    )

    it.effect("4 processes × 25 requests under the emulator's rate limit meet no 429", () =>
      // Lucca's 50 a minute, with time scaled down 20 times: 50 every 3 s
      withFleet({ rateLimit: { requests: 50, window: Duration.seconds(3) } }, ({ fake, input, workers }) =>
        Effect.gen(function*() {
          const results = yield* runAll(
            workers,
            // a margin under the limit for the scheduling and network jitter of 4 processes
            workers.map(() =>
              input({ requests: 25, rateLimit: { requests: 45, perMillis: 3_000, burst: 5 } })
            )
          )
          for (const result of results) assert.deepStrictEqual(result.failures, [])
          const stats = yield* fake.stats
          assert.strictEqual(stats.api.byStatus["429"] ?? 0, 0)
          assert.strictEqual(stats.api.byStatus["200"], fleetSize * 25)
        })), { timeout: 45_000 })

    it.effect(
      "the lease holder killed mid-request: another process takes over once the lease expires",
      () =>
        withFleet({}, ({ fake, input, redis, workers }) =>
          Effect.gen(function*() {
            yield* fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.seconds(20) }), 1)
            // a process of its own, since it is killed
            const holder = yield* Processes.spawnWorker
            const other = workers[0]!
            yield* holder.prepare(input({ requests: 1, leaseTtlMillis: 2_000 }))
            yield* other.prepare(input({ requests: 1, leaseTtlMillis: 2_000 }))
            yield* holder.go
            // the holder has taken the lease and its token request hangs
            yield* Effect.promise(() => redis.client.keys("effect-lucca:token:*:lease")).pipe(
              pollUntil((keys) => keys.length > 0)
            )
            holder.child.kill("SIGKILL")
            yield* other.go
            const result = yield* other.result
            assert.deepStrictEqual(result.failures, [])
            assert.strictEqual(result.ok, 1)
            // the killed holder's request is still held by the emulator: one token was issued
            assert.strictEqual((yield* fake.stats).token.issued, 1)
          })),
      { timeout: 45_000 }
    )

    it.effect(
      "Redis stopped mid-run: every request succeeds; restarted: the fleet shares again",
      () =>
        withFleet({ tokenLifetime: Duration.seconds(2) }, ({ fake, input, redis, workers }) =>
          Effect.gen(function*() {
            yield* Effect.forEach(workers, (worker) => worker.prepare(input({ requests: 30, intervalMillis: 150 })), {
              concurrency: "unbounded"
            })
            yield* Effect.forEach(workers, (worker) => worker.go, { discard: true })
            yield* Effect.sleep("1 second")
            yield* redis.stop
            yield* Effect.sleep("1 second")
            yield* redis.start
            // the restarted Redis is empty: a shared token shows up again
            yield* tokenKeys(redis).pipe(pollUntil((keys) => keys.length > 0))
            const results = yield* Effect.forEach(workers, (worker) => worker.result, { concurrency: "unbounded" })
            for (const result of results) {
              assert.deepStrictEqual(result.failures, [])
              assert.strictEqual(result.ok, 30)
            }
            assert.isAbove(results.reduce((sum, result) => sum + result.fallbacks, 0), 0)
            yield* assertNothingInClear(redis, fake)
          })),
      { timeout: 45_000 }
    )
  })
})
