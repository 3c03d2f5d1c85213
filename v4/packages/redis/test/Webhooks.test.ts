/**
 * Fleet-wide once-only webhooks: two receiver processes share a private `redis-server`;
 * every event is delivered to both at once and must be handled by exactly one. Outside
 * CI the suite is skipped when `redis-server` is not installed; in CI it fails instead.
 */
import { LuccaRedis } from "@effect-lucca/redis"
import { FakeLucca, FakeLuccaWebhooks } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ChildProcess from "node:child_process"
import { createHmac } from "node:crypto"
import { createRequire } from "node:module"
import * as Net from "node:net"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Processes from "./fixtures/processes.js"

const installed = Processes.redisServerInstalled()
if (!installed) {
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed (CI=true): apt-get install redis-server")
  }
  console.warn(
    "SKIPPED v4/packages/redis: test/Webhooks.test.ts (redis-server is not installed: apt-get install redis-server)"
  )
}

const receiverPath = fileURLToPath(new URL("./fixtures/webhookReceiver.ts", import.meta.url))
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

/** A receiver process; `handled` collects the ids it prints. */
const spawnReceiver = (redisUrl: string, secret: string) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, ["--import", tsx, receiverPath, JSON.stringify({ redisUrl, secret })], {
          stdio: ["pipe", "pipe", "inherit"]
        })
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    const handled: Array<string> = []
    const port = yield* Effect.promise(() =>
      new Promise<number>((resolve, reject) => {
        let buffer = ""
        const timer = setTimeout(() => reject(new Error(`receiver did not start: ${buffer}`)), 45_000)
        child.stdout.on("data", (chunk: Buffer) => {
          buffer += chunk.toString()
          const lines = buffer.split("\n")
          buffer = lines.pop()!
          for (const line of lines) {
            const listening = /^listening (\d+)$/.exec(line)
            if (listening) {
              clearTimeout(timer)
              resolve(Number(listening[1]))
            }
            const event = /^handled (.+)$/.exec(line)
            if (event) handled.push(event[1])
          }
        })
        child.once("exit", (code) => reject(new Error(`receiver exited (${code})`)))
      })
    )
    return { url: `http://127.0.0.1:${port}/webhooks/lucca`, handled }
  })

const post = (url: string, body: string, secret: string) => {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z")
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("base64")
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "lucca-timestamp": timestamp, "lucca-signature": signature },
    body
  }).then(async (response) => {
    await response.arrayBuffer()
    return response.status
  })
}

describe.skipIf(!installed)("LuccaRedis.layerWebhookDeduplication", () => {
  it.live(
    "two processes behind one URL: each event delivered to both at once is handled once",
    () =>
      Effect.gen(function*() {
        const redis = yield* Processes.redisServer
        // the events, as the emulator raises them, and an endpoint's secret
        const emulator = yield* Layer.build(FakeLucca.layer())
        const events = yield* Effect.forEach(
          ["1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010"],
          (id) => FakeLuccaWebhooks.raise({ topic: "employee.updated", id }).pipe(Effect.provide(emulator))
        )
        const secret = "whsec-shared-by-the-fleet"
        const [a, b] = yield* Effect.all([spawnReceiver(redis.url, secret), spawnReceiver(redis.url, secret)], {
          concurrency: "unbounded"
        })
        for (const { event } of events) {
          const body = JSON.stringify(event)
          const statuses = yield* Effect.promise(() =>
            Promise.all([post(a.url, body, secret), post(b.url, body, secret)])
          )
          // both acknowledge: one took it, the other saw it taken
          assert.deepStrictEqual(statuses, [202, 202])
        }
        // and once more, to the other process first: still a duplicate
        for (const { event } of events.slice(0, 3)) {
          assert.strictEqual(yield* Effect.promise(() => post(b.url, JSON.stringify(event), secret)), 202)
        }
        const ids = events.map(({ event }) => event.id)
        for (let i = 0; i < 500 && a.handled.length + b.handled.length < ids.length; i++) {
          yield* Effect.sleep("10 millis")
        }
        yield* Effect.sleep("100 millis")
        const handled = [...a.handled, ...b.handled].sort()
        assert.deepStrictEqual(handled, [...ids].sort())
        assert.strictEqual(new Set(handled).size, ids.length)
        // the claims are Redis keys under the prefix, one per event
        const keys = yield* Effect.promise(() => redis.client.keys("effect-lucca:webhook:*"))
        assert.strictEqual(keys.length, ids.length)
        assert.isTrue(keys.every((key) => key.startsWith(`effect-lucca:webhook:${FakeLucca.defaultAccountUrl} `)))
      }),
    { timeout: 120_000 }
  )

  it.live(
    "a claim is the owner's: another process's release leaves it, the owner's frees it",
    () =>
      Effect.gen(function*() {
        const redis = yield* Processes.redisServer
        const one = yield* LuccaRedis.makeWebhookDeduplication({ url: redis.url })
        const other = yield* LuccaRedis.makeWebhookDeduplication({ url: redis.url })
        const key = "https://example.ilucca.net 20001"
        assert.strictEqual(yield* one.claim(key, Duration.minutes(1)), "Claimed")
        assert.strictEqual(yield* other.claim(key, Duration.minutes(1)), "Duplicate")
        yield* other.release(key)
        assert.strictEqual(yield* other.claim(key, Duration.minutes(1)), "Duplicate")
        yield* one.release(key)
        assert.strictEqual(yield* other.claim(key, Duration.minutes(1)), "Claimed")
        const ttl = yield* Effect.promise(() => redis.client.pttl(`effect-lucca:webhook:${key}`))
        assert.isAbove(ttl, 50_000)
      }),
    { timeout: 60_000 }
  )
})

describe("LuccaRedis.layerWebhookDeduplication without Redis", () => {
  it.live(
    "a claim Redis cannot answer is Unavailable (the receiver answers 503), never a failure",
    () =>
      Effect.gen(function*() {
        const port = yield* Effect.promise(() =>
          new Promise<number>((resolve) => {
            const server = Net.createServer()
            server.listen(0, "127.0.0.1", () => {
              const { port } = server.address() as Net.AddressInfo
              server.close(() => resolve(port))
            })
          })
        )
        const store = yield* LuccaRedis.makeWebhookDeduplication({
          url: `redis://127.0.0.1:${port}`,
          commandTimeout: "100 millis"
        })
        assert.strictEqual(yield* store.claim("https://example.ilucca.net 1", Duration.hours(48)), "Unavailable")
      }),
    { timeout: 60_000 }
  )
})
