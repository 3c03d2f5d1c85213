/**
 * The store and the limiter in one process, against a private `redis-server` (skipped
 * like the fleet suite when it is missing outside CI).
 */
import { AccessToken, LuccaClient, TokenProvider, TokenStore } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { LuccaRedis } from "@effect-lucca/redis"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Crypto from "../src/internal/crypto.js"
import * as Processes from "./fixtures/processes.js"

const installed = Processes.redisServerInstalled()
if (!installed) {
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed (CI=true): apt-get install redis-server")
  }
  console.warn(
    "SKIPPED v4/packages/redis: test/LuccaRedis.test.ts, the tests against a Redis server (redis-server is not installed: apt-get install redis-server)"
  )
}

class Server extends Context.Service<Server, Processes.RedisServer>()("Server") {}

const client: TokenStore.Client = {
  tokenUrl: "http://127.0.0.1:1/connect/token",
  clientId: "client-1",
  clientSecret: Redacted.make("s3cr3t-client-secret"),
  scopes: ["legal-entities.readonly", "employees.readonly"]
}

const tokenOf = (value: string, lifetimeMillis = 60_000) =>
  new AccessToken.AccessToken({
    value: Redacted.make(value),
    tokenType: "Bearer",
    scopes: ["employees.readonly"],
    issuedAt: Date.now(),
    expiresAt: Date.now() + lifetimeMillis
  })

const storeOf = (url: string, options?: Partial<LuccaRedis.Options>) =>
  Effect.map(LuccaRedis.make({ url, ...options }), ({ tokenStore }) => tokenStore)

describe.skipIf(!installed)("LuccaRedis", () => {
  layer(Layer.effect(Server, Processes.redisServer), { excludeTestServices: true })((it) => {
    it.effect("a stored token is read back by another connection, and not with another secret", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const a = yield* Effect.flatMap(storeOf(server.url), (store) => store.forClient(client))
        // the order of the scopes does not change the key
        const b = yield* Effect.flatMap(
          storeOf(server.url),
          (store) => store.forClient({ ...client, scopes: [...client.scopes].reverse() })
        )
        const other = yield* Effect.flatMap(
          storeOf(server.url),
          (store) => store.forClient({ ...client, clientSecret: Redacted.make("another-secret") })
        )
        const token = tokenOf("token-abc-123")
        yield* a.set(token)
        const read = yield* b.get
        assert.isTrue(Option.isSome(read) && AccessToken.isSame(read.value, token))
        assert.deepStrictEqual(
          Option.map(read, (t) => [t.scopes, t.issuedAt, t.expiresAt]),
          Option.some([
            token.scopes,
            token.issuedAt,
            token.expiresAt
          ])
        )
        // another secret derives other keys: nothing usable
        assert.isTrue(Option.isNone(yield* other.get))
      }))

    it.effect("the stored format is the Effect 3 line's: a value laid out as it writes it is read back", () =>
      Effect.gen(function*() {
        const server = yield* Server
        // key: prefix, "token:", SHA-256 of TokenStore.keyOf; value: "v1.<token id>.<iv>.<sealed JSON>"
        const context = TokenStore.keyOf(client)
        const key = `effect-lucca:token:${yield* Effect.promise(() => Crypto.digest(context))}`
        const keys = yield* Effect.promise(() => Crypto.deriveKeys(Redacted.value(client.clientSecret), context))
        const expiresAt = Date.now() + 60_000
        const plain = JSON.stringify({ value: "token-from-v3", scopes: ["employees.readonly"], issuedAt: 1, expiresAt })
        const id = yield* Effect.promise(() => Crypto.tokenId(keys, "token-from-v3"))
        const sealed = yield* Effect.promise(() => Crypto.encrypt(keys, plain, key))
        yield* Effect.promise(() => server.client.set(key, `v1.${id}.${sealed}`, "PX", 60_000))
        const store = yield* Effect.flatMap(storeOf(server.url), (s) => s.forClient(client))
        const read = yield* store.get
        assert.isTrue(Option.isSome(read))
        if (Option.isSome(read)) {
          assert.strictEqual(Redacted.value(read.value.value), "token-from-v3")
          assert.deepStrictEqual([read.value.scopes, read.value.issuedAt, read.value.expiresAt], [
            ["employees.readonly"],
            1,
            expiresAt
          ])
        }
        // and the compare-and-delete recognises it by its id
        yield* store.invalidate(Option.getOrThrow(read))
        assert.strictEqual(yield* Effect.promise(() => server.client.exists(key)), 0)
      }))

    it.effect("a 401 deletes the stored token only while it is still the one that failed", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const store = yield* Effect.flatMap(storeOf(server.url), (store) => store.forClient(client))
        const first = tokenOf("token-first")
        const second = tokenOf("token-second")
        yield* store.set(first)
        yield* store.set(second)
        yield* store.invalidate(first)
        const kept = yield* store.get
        assert.isTrue(Option.isSome(kept) && AccessToken.isSame(kept.value, second))
        yield* store.invalidate(second)
        assert.isTrue(Option.isNone(yield* store.get))
      }))

    it.effect("the scripts go to Redis once per connection, then by their SHA1, and again after a SCRIPT FLUSH", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const calls = Effect.promise(async () => {
          const info = await server.client.info("commandstats")
          const count = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0)
          return { eval: count("eval"), evalsha: count("evalsha") }
        })
        const store = yield* Effect.flatMap(storeOf(server.url), (store) => store.forClient(client))
        yield* Effect.promise(() => server.client.config("RESETSTAT"))
        // three scripts: compare-and-delete of a token, lease acquisition and release
        for (let i = 0; i < 10; i++) {
          yield* store.invalidate(tokenOf(`token-${i}`))
          const lease = yield* store.acquire
          if (lease._tag === "Acquired") yield* lease.release
        }
        const sent = yield* calls
        assert.isAtMost(sent.eval, 3, JSON.stringify(sent))
        assert.isAtLeast(sent.evalsha, 27, JSON.stringify(sent))
        // Redis forgets the scripts (a restart, a failover): the next call sends its script again
        yield* Effect.promise(() => server.client.script("FLUSH"))
        const token = tokenOf("token-after-flush")
        yield* store.set(token)
        yield* store.invalidate(token)
        assert.isTrue(Option.isNone(yield* store.get))
        const lease = yield* store.acquire
        assert.strictEqual(lease._tag, "Acquired")
        if (lease._tag === "Acquired") yield* lease.release
      }))

    it.effect("one lease at a time; only its owner releases it", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const a = yield* Effect.flatMap(storeOf(server.url, { leaseTtl: "5 seconds" }), (s) => s.forClient(client))
        const b = yield* Effect.flatMap(storeOf(server.url, { leaseTtl: "5 seconds" }), (s) => s.forClient(client))
        const lease = yield* a.acquire
        assert.strictEqual(lease._tag, "Acquired")
        const held = yield* b.acquire
        assert.strictEqual(held._tag, "Held")
        if (held._tag === "Held") assert.isTrue(Duration.isLessThanOrEqualTo(held.expiresIn, Duration.seconds(5)))
        if (lease._tag === "Acquired") yield* lease.release
        const next = yield* b.acquire
        assert.strictEqual(next._tag, "Acquired")
        // a's lease is gone: releasing it again must not release b's
        if (lease._tag === "Acquired") yield* lease.release
        assert.strictEqual((yield* a.acquire)._tag, "Held")
      }))

    it.effect("Redis read-only (a replica after failover): the refused token it still hands out is never used again", () =>
      Effect.gen(function*() {
        const server = yield* Server
        yield* Effect.promise(() => server.client.flushall())
        const lucca = yield* Layer.build(FakeLuccaServer.layerFake())
        const fake = yield* Effect.provide(FakeLucca.FakeLucca, lucca)
        const { tokenUrl, url } = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, lucca)
        const client = yield* LuccaClient.make({
          clientId: FakeLucca.defaultClientId,
          clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
          scopes: ["employees.readonly"],
          tokenUrl,
          accountUrl: url,
          rateLimit: false
        }).pipe(
          Effect.provide(
            yield* Layer.build(Layer.merge(NodeLucca.layerHttpClient, LuccaRedis.layer({ url: server.url })))
          )
        )
        const employees = client.execute(HttpClientRequest.get("/lucca-api/employees"))
        assert.strictEqual((yield* employees).status, 200)
        const tokenKeys = Effect.promise(() => server.client.keys("effect-lucca:token:*"))
        assert.strictEqual((yield* tokenKeys).length, 1)
        // reads work, writes get READONLY (the master it follows is nowhere)
        yield* Effect.acquireRelease(
          Effect.promise(() => server.client.call("REPLICAOF", "127.0.0.1", "1")),
          () => Effect.promise(() => server.client.call("REPLICAOF", "NO", "ONE"))
        )
        const write = yield* Effect.result(Effect.tryPromise(() => server.client.set("probe", "1")))
        assert.isTrue(Result.isFailure(write) && String(write.failure.cause).includes("READONLY"))
        yield* fake.revokeTokens()
        // the 401 cannot delete the stored token: Redis still hands it out
        const response = yield* Effect.result(employees)
        assert.isTrue(Result.isSuccess(response) && response.success.status === 200, String(response))
        assert.strictEqual((yield* tokenKeys).length, 1)
        assert.strictEqual((yield* employees).status, 200)
        assert.strictEqual((yield* fake.stats).token.issued, 2)
      }))

    it.effect("a lease key without expiry is repaired: the next token request waits one lease time, then stores", () =>
      Effect.gen(function*() {
        const server = yield* Server
        yield* Effect.promise(() => server.client.flushall())
        const lucca = yield* Layer.build(FakeLuccaServer.layerFake())
        const fake = yield* Effect.provide(FakeLucca.FakeLucca, lucca)
        const { tokenUrl } = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, lucca)
        const options = {
          clientId: FakeLucca.defaultClientId,
          clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
          scopes: ["employees.readonly"],
          tokenUrl
        }
        const { tokenStore } = yield* LuccaRedis.make({ url: server.url, leaseTtl: "1 second" })
        // a holder took the lease, and its key lost its expiry (a PERSIST, a restore without TTL)
        const dead = yield* tokenStore.forClient({ ...options, scopes: options.scopes })
        assert.strictEqual((yield* dead.acquire)._tag, "Acquired")
        const [leaseKey] = yield* Effect.promise(() => server.client.keys("effect-lucca:token:*:lease"))
        yield* Effect.promise(() => server.client.persist(leaseKey))
        assert.strictEqual(yield* Effect.promise(() => server.client.pttl(leaseKey)), -1)
        // a waiter sees the lease held for one lease time at most, and the key expires again
        const held = yield* dead.acquire
        assert.isTrue(held._tag === "Held" && Duration.toMillis(held.expiresIn) <= 1_000)
        const ttl = yield* Effect.promise(() => server.client.pttl(leaseKey))
        assert.isTrue(ttl > 0 && ttl <= 1_000, `lease TTL ${ttl}`)
        // a cold provider takes the lease once it expires: its token is requested once, and stored
        const provider = yield* TokenProvider.make(options).pipe(
          Effect.provide(yield* Layer.build(NodeLucca.layerHttpClient)),
          Effect.provideService(TokenStore.TokenStore, tokenStore)
        )
        const token = yield* provider.get
        const stored = yield* dead.get
        assert.isTrue(Option.isSome(stored) && AccessToken.isSame(stored.value, token))
        assert.strictEqual((yield* fake.stats).token.issued, 1)
      }))

    it.effect("a process whose first connection is slow to open stays in the fleet: its first commands wait for it", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const token = tokenOf("token-stored-before")
        yield* Effect.flatMap(
          Effect.flatMap(storeOf(server.url), (store) => store.forClient(client)),
          (s) => s.set(token)
        )
        const fallbacks = Metric.value(Metric.withAttributes(LuccaRedis.fallbacks, { operation: "get" }))
        const before = (yield* fallbacks).count
        // Redis answers nothing for 0.6 s: the connection opens, and is ready only then (a busy
        // host, a slow network), after the layer has waited for it (connectTimeout, 0.2 s here)
        yield* Effect.promise(() => server.client.call("CLIENT", "PAUSE", "600", "ALL"))
        const store = yield* Effect.flatMap(
          storeOf(server.url, { commandTimeout: "2 seconds", redis: { connectTimeout: 200 } }),
          (s) => s.forClient(client)
        )
        const read = yield* store.get
        assert.isTrue(Option.isSome(read) && AccessToken.isSame(read.value, token))
        assert.strictEqual((yield* fallbacks).count, before)
      }))

    it.effect("the shared bucket lets the burst through at once, then paces", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const { rateLimiter } = yield* LuccaRedis.make({ url: server.url })
        const consume = rateLimiter.consume({
          algorithm: "token-bucket",
          key: `bucket-${Date.now()}`,
          limit: 5,
          window: "1 minute",
          onExceeded: "delay"
        })
        const delays = yield* Effect.forEach(Array.from({ length: 7 }), () => consume)
        assert.deepStrictEqual(delays.slice(0, 5).map((r) => Duration.toMillis(r.delay)), [0, 0, 0, 0, 0])
        assert.isAbove(Duration.toMillis(delays[5]!.delay), 0)
        assert.isAbove(Duration.toMillis(delays[6]!.delay), Duration.toMillis(delays[5]!.delay))
      }))

    it.effect("a request after the burst waits only what is left of the refill interval Redis has run", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const { rateLimiter } = yield* LuccaRedis.make({ url: server.url })
        // burst 2, one token back every 30 s
        const consume = rateLimiter.consume({
          algorithm: "token-bucket",
          key: `elapsed-${Date.now()}`,
          limit: 2,
          window: "1 minute",
          onExceeded: "delay"
        })
        yield* consume
        yield* consume
        // the interval started with the burst; 300 ms of it have run (at least) when the next comes
        yield* Effect.sleep("300 millis")
        const third = yield* consume
        assert.isAbove(Duration.toMillis(third.delay), 0)
        assert.isAtMost(Duration.toMillis(third.delay), 30_000 - 300)
        // and the one after it waits one more interval than the third
        const fourth = yield* consume
        assert.isAtMost(Duration.toMillis(fourth.delay) - Duration.toMillis(third.delay), 30_000)
        assert.isAbove(Duration.toMillis(fourth.delay), 30_000)
      }))

    it.effect("a Redis outage adds no capacity: requests that fall back queue behind those already scheduled", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const { rateLimiter } = yield* LuccaRedis.make({ url: server.url, commandTimeout: "100 millis" })
        // burst 2, one token back every 3 s
        const refillMillis = 3_000
        const consume = rateLimiter.consume({
          algorithm: "token-bucket",
          key: `outage-${Date.now()}`,
          limit: 2,
          window: "6 seconds",
          onExceeded: "delay"
        })
        // when each request may go, on this host's clock (the delays come from the bucket)
        const sendAt: Array<number> = []
        const take = Effect.map(consume, (result) => void sendAt.push(Date.now() + Duration.toMillis(result.delay)))
        const fallbacks = Metric.value(Metric.withAttributes(LuccaRedis.fallbacks, { operation: "rate" }))
        const before = (yield* fallbacks).count
        // five requests scheduled against Redis: now, now, +3 s, +6 s, +9 s
        for (let i = 0; i < 5; i++) yield* take
        assert.strictEqual((yield* fallbacks).count, before)
        // Redis freezes (writes wait): three more requests fall back to the process
        yield* Effect.acquireRelease(
          Effect.promise(() => server.client.call("CLIENT", "PAUSE", "10000", "WRITE")),
          () => Effect.promise(() => server.client.call("CLIENT", "UNPAUSE"))
        )
        for (let i = 0; i < 3; i++) yield* take
        // (the first one finds Redis frozen; the account then stays in process)
        assert.isAbove((yield* fallbacks).count, before)
        // Redis is back: the next request still queues behind the ones scheduled in process
        yield* Effect.promise(() => server.client.call("CLIENT", "UNPAUSE"))
        yield* take
        // a bucket of 2 lets no 3 requests go within one refill interval (half of it as slack
        // for the time the calls themselves take)
        const sorted = [...sendAt].sort((a, b) => a - b)
        for (let i = 0; i + 2 < sorted.length; i++) {
          assert.isAtLeast(sorted[i + 2] - sorted[i], refillMillis / 2, `requests ${i} to ${i + 2}: ${sorted}`)
        }
      }))

    it.effect("refill rates that are not whole milliseconds stay in Redis (no fallback)", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const { rateLimiter } = yield* LuccaRedis.make({ url: server.url })
        const fallbacks = Metric.value(Metric.withAttributes(LuccaRedis.fallbacks, { operation: "rate" }))
        const before = yield* fallbacks
        // the core's pacing: burst 5 refilled every 2 s × 5 / 45 (a refill every 44.4 ms)
        for (const algorithm of ["token-bucket", "fixed-window"] as const) {
          yield* rateLimiter.consume({
            algorithm,
            key: `fraction-${algorithm}-${Date.now()}`,
            limit: 5,
            window: Duration.millis(2_000 * 5 / 45),
            onExceeded: "delay"
          })
        }
        assert.strictEqual((yield* fallbacks).count, before.count)
        const keys = yield* Effect.promise(() => server.client.keys("effect-lucca:rate:fraction-*"))
        assert.strictEqual(keys.length, 2)
      }))
  })
})

// nothing here needs a Redis server: these run everywhere
describe("LuccaRedis without a Redis server", () => {
  it.live("Redis unreachable: the store answers empty and unavailable, the limiter paces in process", () =>
    Effect.gen(function*() {
      // a port nobody listens on
      const { rateLimiter, tokenStore } = yield* LuccaRedis.make({
        url: "redis://127.0.0.1:1",
        commandTimeout: "200 millis"
      })
      const store = yield* tokenStore.forClient(client)
      const before = yield* Metric.value(Metric.withAttributes(LuccaRedis.fallbacks, { operation: "get" }))
      assert.isTrue(Option.isNone(yield* store.get))
      assert.strictEqual((yield* store.acquire)._tag, "Unavailable")
      yield* store.set(tokenOf("token-x"))
      const after = yield* Metric.value(Metric.withAttributes(LuccaRedis.fallbacks, { operation: "get" }))
      assert.strictEqual(after.count - before.count, 1)
      const result = yield* rateLimiter.consume({ key: "k", limit: 5, window: "1 minute", algorithm: "token-bucket" })
      assert.strictEqual(Duration.toMillis(result.delay), 0)
    }))

  it.effect("layerConfig reads REDIS_URL; a missing or bad one is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const build = (env: Record<string, string>) =>
        Effect.flip(
          Layer.build(LuccaRedis.layerConfig()).pipe(
            Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
          )
        )
      const missing = yield* build({})
      assert.instanceOf(missing, Config.ConfigError)
      assert.include(missing.message, "REDIS_URL")
      const bad = yield* build({ REDIS_URL: "http://user:hunter2@127.0.0.1:6379" })
      assert.instanceOf(bad, Config.ConfigError)
      assert.include(bad.message, "url")
      assert.notInclude(bad.message, "hunter2")
    }))

  it.effect("bad options are a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [LuccaRedis.Options, string]> = [
        [{ url: "http://127.0.0.1:6379" }, "url"],
        [{ url: Redacted.make("127.0.0.1:6379") }, "url"],
        [{ commandTimeout: 0 }, "commandTimeout"],
        [{ leaseTtl: "forever" as Duration.Input }, "leaseTtl"],
        [{ leaseTtl: Duration.infinity }, "leaseTtl"],
        [{ prefix: 42 as unknown as string }, "prefix"]
      ]
      for (const [options, option] of cases) {
        const error = yield* Effect.flip(LuccaRedis.make(options))
        assert.instanceOf(error, Config.ConfigError)
        assert.include(error.message, option, JSON.stringify(options))
      }
      // and nothing of the URL's credentials in the message
      const secret = yield* Effect.flip(LuccaRedis.make({ url: "http://user:hunter2@127.0.0.1:6379" }))
      assert.notInclude(secret.message, "hunter2")
    }))
})
