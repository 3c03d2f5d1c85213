/**
 * The store and the limiter in one process, against a private `redis-server` (skipped
 * like the fleet suite when it is missing outside CI).
 */
import { AccessToken, LuccaClient, TokenProvider, TokenStore } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { LuccaRedis } from "@effect-lucca/redis"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Processes from "./fixtures/processes.js"

const installed = Processes.redisServerInstalled()
if (!installed) {
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed (CI=true): apt-get install redis-server")
  }
  console.warn(
    "SKIPPED packages/redis: test/LuccaRedis.test.ts (redis-server is not installed: apt-get install redis-server)"
  )
}

class Server extends Context.Tag("Server")<Server, Processes.RedisServer>() {}

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
  layer(Layer.scoped(Server, Processes.redisServer), { excludeTestServices: true })((it) => {
    it.scoped("a stored token is read back by another connection, and not with another secret", () =>
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

    it.scoped("a 401 deletes the stored token only while it is still the one that failed", () =>
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

    it.scoped("the scripts go to Redis once per connection, then by their SHA1, and again after a SCRIPT FLUSH", () =>
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

    it.scoped("one lease at a time; only its owner releases it", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const a = yield* Effect.flatMap(storeOf(server.url, { leaseTtl: "5 seconds" }), (s) => s.forClient(client))
        const b = yield* Effect.flatMap(storeOf(server.url, { leaseTtl: "5 seconds" }), (s) => s.forClient(client))
        const lease = yield* a.acquire
        assert.strictEqual(lease._tag, "Acquired")
        const held = yield* b.acquire
        assert.strictEqual(held._tag, "Held")
        if (held._tag === "Held") assert.isTrue(Duration.lessThanOrEqualTo(held.expiresIn, Duration.seconds(5)))
        if (lease._tag === "Acquired") yield* lease.release
        const next = yield* b.acquire
        assert.strictEqual(next._tag, "Acquired")
        // a's lease is gone: releasing it again must not release b's
        if (lease._tag === "Acquired") yield* lease.release
        assert.strictEqual((yield* a.acquire)._tag, "Held")
      }))

    it.scoped("Redis read-only (a replica after failover): the refused token it still hands out is never used again", () =>
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
        const write = yield* Effect.either(Effect.tryPromise(() => server.client.set("probe", "1")))
        assert.isTrue(write._tag === "Left" && String(write.left.error).includes("READONLY"))
        yield* fake.revokeTokens()
        // the 401 cannot delete the stored token: Redis still hands it out
        const response = yield* Effect.either(employees)
        assert.isTrue(response._tag === "Right" && response.right.status === 200, String(response))
        assert.strictEqual((yield* tokenKeys).length, 1)
        assert.strictEqual((yield* employees).status, 200)
        assert.strictEqual((yield* fake.stats).token.issued, 2)
      }))

    it.scoped("a lease key without expiry is repaired: the next token request waits one lease time, then stores", () =>
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

    it.scoped("a process whose first connection is slow to open stays in the fleet: its first commands wait for it", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const token = tokenOf("token-stored-before")
        yield* Effect.flatMap(
          Effect.flatMap(storeOf(server.url), (store) => store.forClient(client)),
          (s) => s.set(token)
        )
        const fallbacks = Metric.value(Metric.tagged(LuccaRedis.fallbacks, "operation", "get"))
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

    it.scoped("the shared bucket lets the burst through at once, then paces", () =>
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

    it.scoped("a Redis outage adds no capacity: requests that fall back queue behind those already scheduled", () =>
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
        const fallbacks = Metric.value(Metric.tagged(LuccaRedis.fallbacks, "operation", "rate"))
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

    it.scoped("refill rates that are not whole milliseconds stay in Redis (no fallback)", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const { rateLimiter } = yield* LuccaRedis.make({ url: server.url })
        const fallbacks = Metric.value(Metric.tagged(LuccaRedis.fallbacks, "operation", "rate"))
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

  it.live("Redis unreachable: the store answers empty and unavailable, the limiter paces in process", () =>
    Effect.gen(function*() {
      // a port nobody listens on
      const { rateLimiter, tokenStore } = yield* LuccaRedis.make({
        url: "redis://127.0.0.1:1",
        commandTimeout: "200 millis"
      })
      const store = yield* tokenStore.forClient(client)
      const before = yield* Metric.value(Metric.tagged(LuccaRedis.fallbacks, "operation", "get"))
      assert.isTrue(Option.isNone(yield* store.get))
      assert.strictEqual((yield* store.acquire)._tag, "Unavailable")
      yield* store.set(tokenOf("token-x"))
      const after = yield* Metric.value(Metric.tagged(LuccaRedis.fallbacks, "operation", "get"))
      assert.strictEqual(after.count - before.count, 1)
      const result = yield* rateLimiter.consume({ key: "k", limit: 5, window: "1 minute", algorithm: "token-bucket" })
      assert.strictEqual(Duration.toMillis(result.delay), 0)
    }).pipe(Effect.scoped))

  it.effect("bad options are a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(LuccaRedis.make({ url: "http://127.0.0.1:6379" })))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "url")
      const timeout = yield* Effect.exit(Effect.scoped(LuccaRedis.make({ commandTimeout: 0 })))
      assert.include(String(Exit.isFailure(timeout) ? timeout.cause : ""), "commandTimeout")
    }))
})
