import { SecretHygiene } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import { createHmac } from "node:crypto"
import * as LuccaWebhooks from "../src/LuccaWebhooks.js"

const secret = "whsec-b3YGydKxao0CYEg4-2LM81rviT-vl2JzKyf"
const redacted = Redacted.make(secret)

/** Lucca's documented signature, computed here with node:crypto, independently of the library. */
const signature = (timestamp: string, body: string | Uint8Array, key = secret) =>
  createHmac("sha256", Buffer.from(key, "utf8"))
    .update(Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), Buffer.from(body)]))
    .digest("base64")

const sentAt = "2025-01-01T08:34:23Z"
const sentAtMillis = Date.parse(sentAt)

const event = {
  id: "2455623",
  type: "event",
  url: "https://example.ilucca.net/lucca-api/events/2455623",
  apiVersion: "2024-11-01",
  topic: "employee.updated",
  occurredAt: "2025-01-01T08:34:20.001Z",
  source: "https://example.ilucca.net",
  data: { id: "416", type: "employee", url: "https://example.ilucca.net/lucca-api/employees/416" }
}
const body = JSON.stringify(event)

const delivery = (overrides?: {
  readonly body?: string | Uint8Array
  readonly timestamp?: string
  readonly signature?: string
}) => {
  const b = overrides?.body ?? body
  const t = overrides?.timestamp ?? sentAt
  return {
    headers: { "Lucca-Timestamp": t, "Lucca-Signature": overrides?.signature ?? signature(t, b) },
    body: b
  }
}

/** The clock at the delivery time, plus `offset`, minus `behind`. */
const at = (offset: Duration.Input = 0, behind: Duration.Input = 0) =>
  TestClock.setTime(sentAtMillis + Duration.toMillis(offset) - Duration.toMillis(behind))

const refusal = (effect: Effect.Effect<unknown, LuccaWebhooks.WebhookError>) =>
  Effect.map(Effect.result(effect), (result) => {
    assert.isTrue(Result.isFailure(result), "the delivery must be refused")
    const error = (result as Result.Failure<unknown, LuccaWebhooks.WebhookError>).failure
    assert.strictEqual(error._tag, "WebhookError")
    assert.isFalse(error.message.includes(secret), "no error text holds the secret")
    assert.isFalse(JSON.stringify(error).includes(secret))
    return error
  })

describe("LuccaWebhooks.verify", () => {
  it.effect("accepts a delivery signed as Lucca documents and decodes its event", () =>
    Effect.gen(function*() {
      yield* at()
      const verified = yield* LuccaWebhooks.verify(delivery(), redacted)
      assert.strictEqual(verified.topic, "employee.updated")
      assert.strictEqual(verified.id, "2455623")
      assert.strictEqual(verified.source, "https://example.ilucca.net")
      assert.deepStrictEqual(verified.data, event.data)
    }))

  it.effect("accepts the body as raw bytes, and a web Headers object", () =>
    Effect.gen(function*() {
      yield* at()
      const bytes = new TextEncoder().encode(body)
      const headers = new Headers({ "lucca-timestamp": sentAt, "lucca-signature": signature(sentAt, bytes) })
      const verified = yield* LuccaWebhooks.verify({ headers, body: bytes }, redacted)
      assert.strictEqual(verified.id, "2455623")
    }))

  it.effect("matches header names whatever their case", () =>
    Effect.gen(function*() {
      yield* at()
      for (const [t, s] of [["lucca-timestamp", "lucca-signature"], ["LUCCA-TIMESTAMP", "LuCcA-SiGnAtUrE"]]) {
        const verified = yield* LuccaWebhooks.verify(
          { headers: { [t]: sentAt, [s]: signature(sentAt, body) }, body },
          redacted
        )
        assert.strictEqual(verified.topic, "employee.updated")
      }
    }))

  it.effect("signs the bytes as received: a non-ASCII body, bytes or text", () =>
    Effect.gen(function*() {
      yield* at()
      const accented = JSON.stringify({
        ...event,
        data: { ...event.data, givenName: "Zoë", familyName: "Lefèvre 日本" }
      })
      const bytes = new TextEncoder().encode(accented)
      const fromText = yield* LuccaWebhooks.verify(delivery({ body: accented }), redacted)
      assert.strictEqual(fromText.data.givenName, "Zoë")
      const fromBytes = yield* LuccaWebhooks.verify(delivery({ body: bytes }), redacted)
      assert.strictEqual(fromBytes.data.familyName, "Lefèvre 日本")
      // the same JSON with escapes instead of UTF-8 is another byte sequence: not what was signed
      const escaped = accented.replace("ë", "\\u00eb")
      const error = yield* refusal(
        LuccaWebhooks.verify({ ...delivery({ body: accented }), body: escaped }, redacted)
      )
      assert.strictEqual(error.reason, "InvalidSignature")
    }))

  it.effect("refuses a tampered body", () =>
    Effect.gen(function*() {
      yield* at()
      const tampered = { ...delivery(), body: body.replace("employee.updated", "employee.deleted") }
      const error = yield* refusal(LuccaWebhooks.verify(tampered, redacted))
      assert.strictEqual(error.reason, "InvalidSignature")
      assert.strictEqual(error.header, "Lucca-Signature")
    }))

  it.effect("refuses a signature made with another secret", () =>
    Effect.gen(function*() {
      yield* at()
      const forged = delivery({ signature: signature(sentAt, body, "another-secret") })
      const error = yield* refusal(LuccaWebhooks.verify(forged, redacted))
      assert.strictEqual(error.reason, "InvalidSignature")
    }))

  it.effect("refuses a signature over another timestamp", () =>
    Effect.gen(function*() {
      yield* at()
      const moved = {
        ...delivery(),
        headers: { "Lucca-Timestamp": "2025-01-01T08:34:24Z", "Lucca-Signature": signature(sentAt, body) }
      }
      assert.strictEqual((yield* refusal(LuccaWebhooks.verify(moved, redacted))).reason, "InvalidSignature")
    }))

  it.effect("refuses malformed base64 and a wrong length as InvalidSignature, never a defect", () =>
    Effect.gen(function*() {
      yield* at()
      const valid = signature(sentAt, body)
      for (const malformed of ["not base64!", "abc", "====", valid.slice(0, -4), `${valid}AAAA`, "%%%%", "YQ=="]) {
        const error = yield* refusal(LuccaWebhooks.verify(delivery({ signature: malformed }), redacted))
        assert.strictEqual(error.reason, "InvalidSignature", malformed)
      }
    }))

  it.effect("refuses a delivery without Lucca-Timestamp or Lucca-Signature, naming the header", () =>
    Effect.gen(function*() {
      yield* at()
      const withoutTimestamp = yield* refusal(
        LuccaWebhooks.verify({ headers: { "Lucca-Signature": signature(sentAt, body) }, body }, redacted)
      )
      assert.strictEqual(withoutTimestamp.reason, "MissingHeader")
      assert.strictEqual(withoutTimestamp.header, "Lucca-Timestamp")
      const withoutSignature = yield* refusal(
        LuccaWebhooks.verify({ headers: { "Lucca-Timestamp": sentAt }, body }, redacted)
      )
      assert.strictEqual(withoutSignature.reason, "MissingHeader")
      assert.strictEqual(withoutSignature.header, "Lucca-Signature")
      const empty = yield* refusal(
        LuccaWebhooks.verify({ headers: { "Lucca-Timestamp": sentAt, "Lucca-Signature": "" }, body }, redacted)
      )
      assert.strictEqual(empty.header, "Lucca-Signature")
    }))

  it.effect("refuses a timestamp more than 5 minutes old or ahead, with the tolerance", () =>
    Effect.gen(function*() {
      yield* at(Duration.minutes(5))
      assert.strictEqual((yield* LuccaWebhooks.verify(delivery(), redacted)).id, "2455623")
      yield* at(Duration.sum(Duration.minutes(5), Duration.seconds(1)))
      const stale = yield* refusal(LuccaWebhooks.verify(delivery(), redacted))
      assert.strictEqual(stale.reason, "StaleTimestamp")
      assert.strictEqual(stale.timestamp, sentAt)
      assert.strictEqual(stale.toleranceMillis, 300_000)

      // a delivery from the future: the receiver's clock is 6 minutes behind
      yield* at(0, Duration.minutes(6))
      const future = yield* refusal(LuccaWebhooks.verify(delivery(), redacted))
      assert.strictEqual(future.reason, "StaleTimestamp")
      yield* at(0, Duration.minutes(5))
      assert.strictEqual((yield* LuccaWebhooks.verify(delivery(), redacted)).id, "2455623")
    }))

  it.effect("takes another tolerance", () =>
    Effect.gen(function*() {
      yield* at(Duration.seconds(31))
      const error = yield* refusal(LuccaWebhooks.verify(delivery(), redacted, { tolerance: "30 seconds" }))
      assert.strictEqual(error.toleranceMillis, 30_000)
      yield* at(Duration.minutes(50))
      assert.strictEqual((yield* LuccaWebhooks.verify(delivery(), redacted, { tolerance: "1 hour" })).id, "2455623")
    }))

  it.effect("refuses a signed timestamp that is no date-time as StaleTimestamp", () =>
    Effect.gen(function*() {
      yield* at()
      const error = yield* refusal(LuccaWebhooks.verify(delivery({ timestamp: "yesterday" }), redacted))
      assert.strictEqual(error.reason, "StaleTimestamp")
      assert.strictEqual(error.timestamp, "yesterday")
    }))

  it.effect("accepts any topic, and refuses a signed body that is no event as InvalidPayload", () =>
    Effect.gen(function*() {
      yield* at()
      const leave = JSON.stringify({ ...event, topic: "leave.updated" })
      assert.strictEqual((yield* LuccaWebhooks.verify(delivery({ body: leave }), redacted)).topic, "leave.updated")
      for (const bad of ["not json", JSON.stringify({ topic: "employee.created" }), "[]"]) {
        const error = yield* refusal(LuccaWebhooks.verify(delivery({ body: bad }), redacted))
        assert.strictEqual(error.reason, "InvalidPayload", bad)
      }
      const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0x7d])
      const error = yield* refusal(LuccaWebhooks.verify(delivery({ body: invalidUtf8 }), redacted))
      assert.strictEqual(error.reason, "InvalidPayload")
    }))

  it.effect("sign computes what node:crypto computes", () =>
    Effect.gen(function*() {
      const accented = "{\"name\":\"Zoë\"}"
      assert.strictEqual(yield* LuccaWebhooks.sign(sentAt, accented, redacted), signature(sentAt, accented))
    }))
})

/** Runs the receiver app on one web request, in this fiber (TestClock applies). */
const call = (
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
  request: Request
) =>
  Effect.map(
    Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request)),
    (response) => HttpServerResponse.toWeb(response)
  )

const post = (d: ReturnType<typeof delivery>) =>
  new Request("https://receiver.test/lucca", { method: "POST", headers: d.headers, body: d.body as string })

const eventWith = (id: string) => delivery({ body: JSON.stringify({ ...event, id }) })

describe("LuccaWebhooks.receiver", () => {
  it.effect("answers the activation challenge, 405 to other methods, 400 to a GET without echo", () =>
    Effect.gen(function*() {
      const app = yield* LuccaWebhooks.receiver({ secret: redacted, handler: () => Effect.void })
      const echo = yield* call(app, new Request("https://receiver.test/lucca?echo=abc%20d"))
      assert.strictEqual(echo.status, 200)
      assert.strictEqual(echo.headers.get("content-type"), "text/plain; charset=utf-8")
      assert.strictEqual(yield* Effect.promise(() => echo.text()), "abc d")
      const older = yield* call(app, new Request("https://receiver.test/lucca?challenge=xyz"))
      assert.strictEqual(yield* Effect.promise(() => older.text()), "xyz")
      assert.strictEqual((yield* call(app, new Request("https://receiver.test/lucca"))).status, 400)
      const put = yield* call(app, new Request("https://receiver.test/lucca", { method: "PUT" }))
      assert.strictEqual(put.status, 405)
    }))

  it.effect("401 for a refused delivery, 400 for a signed body that is no event", () =>
    Effect.gen(function*() {
      yield* at()
      const app = yield* LuccaWebhooks.receiver({ secret: redacted, handler: () => Effect.void })
      assert.strictEqual((yield* call(app, post(delivery({ signature: "AAAA" })))).status, 401)
      const unsigned = new Request("https://receiver.test/lucca", { method: "POST", body })
      assert.strictEqual((yield* call(app, unsigned)).status, 401)
      yield* at(Duration.minutes(10))
      assert.strictEqual((yield* call(app, post(delivery()))).status, 401)
      yield* at()
      assert.strictEqual((yield* call(app, post(delivery({ body: "{}" })))).status, 400)
      // a body beyond maxBodySize (1 MiB by default) is refused unread
      const large = delivery({ body: JSON.stringify({ ...event, data: { padding: "x".repeat(1024 * 1024) } }) })
      assert.strictEqual((yield* call(app, post(large))).status, 413)
    }))

  it.effect("hands each event once, in order; a full queue answers 503 and releases the event for Lucca's retry", () =>
    Effect.gen(function*() {
      yield* at()
      const gate = yield* Deferred.make<void>()
      const handled = yield* Queue.unbounded<string>()
      const app = yield* LuccaWebhooks.receiver({
        secret: redacted,
        capacity: 1,
        handler: (e) => Effect.andThen(Deferred.await(gate), Queue.offer(handled, e.id))
      })
      assert.strictEqual((yield* call(app, post(eventWith("1")))).status, 202)
      // the worker takes "1" and waits at the gate; "2" fills the queue
      yield* Effect.yieldNow
      assert.strictEqual((yield* call(app, post(eventWith("2")))).status, 202)
      const full = yield* call(app, post(eventWith("3")))
      assert.strictEqual(full.status, 503)
      assert.isNotNull(full.headers.get("retry-after"))
      // a duplicate of an accepted event: 202, not handed again
      assert.strictEqual((yield* call(app, post(eventWith("1")))).status, 202)
      yield* Deferred.succeed(gate, void 0)
      assert.strictEqual(yield* Queue.take(handled), "1")
      assert.strictEqual(yield* Queue.take(handled), "2")
      // Lucca delivers "3" again: it was not marked, so it is handled now
      assert.strictEqual((yield* call(app, post(eventWith("3")))).status, 202)
      assert.strictEqual(yield* Queue.take(handled), "3")
      assert.strictEqual(yield* Queue.size(handled), 0)
    }))

  it.effect("a store that cannot answer gets 503, so that Lucca delivers again rather than risk a duplicate", () =>
    Effect.gen(function*() {
      yield* at()
      const app = yield* LuccaWebhooks.receiver({ secret: redacted, handler: () => Effect.void }).pipe(
        Effect.provideService(LuccaWebhooks.WebhookDeduplication, {
          claim: () => Effect.succeed("Unavailable"),
          release: () => Effect.void
        })
      )
      assert.strictEqual((yield* call(app, post(delivery()))).status, 503)
    }))

  it.effect("the in-memory store forgets a key after its window, by Clock", () =>
    Effect.gen(function*() {
      const store = yield* LuccaWebhooks.makeMemoryDeduplication
      assert.strictEqual(yield* store.claim("a", Duration.hours(1)), "Claimed")
      assert.strictEqual(yield* store.claim("a", Duration.hours(1)), "Duplicate")
      yield* TestClock.adjust(Duration.hours(1))
      assert.strictEqual(yield* store.claim("a", Duration.hours(1)), "Claimed")
      yield* store.release("a")
      assert.strictEqual(yield* store.claim("a", Duration.hours(1)), "Claimed")
    }))
})

describe("LuccaWebhooks.receiver in effect/http", () => {
  /** A delivery signed now, by the real clock: a web handler runs on its own runtime. */
  const signedNow = (id: string) => {
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z")
    const b = JSON.stringify({ ...event, id })
    return new Request("http://receiver.test/webhooks/lucca", {
      method: "POST",
      headers: { "Lucca-Timestamp": timestamp, "Lucca-Signature": signature(timestamp, b) },
      body: b
    })
  }

  it.live("serves any web-standard server through HttpEffect.toWebHandler", () =>
    Effect.gen(function*() {
      const handled = yield* Queue.unbounded<string>()
      const app = yield* LuccaWebhooks.receiver({ secret: redacted, handler: (e) => Queue.offer(handled, e.id) })
      const handler = HttpEffect.toWebHandler(app)
      const echo = yield* Effect.promise(() => handler(new Request("http://receiver.test/webhooks/lucca?echo=ok")))
      assert.strictEqual(yield* Effect.promise(() => echo.text()), "ok")
      assert.strictEqual((yield* Effect.promise(() => handler(signedNow("web")))).status, 202)
      assert.strictEqual((yield* Effect.promise(() => handler(signedNow("web")))).status, 202)
      assert.strictEqual(yield* Queue.take(handled), "web")
      const forged = new Request("http://receiver.test/webhooks/lucca", { method: "POST", body })
      assert.strictEqual((yield* Effect.promise(() => handler(forged))).status, 401)
      assert.strictEqual(yield* Queue.size(handled), 0)
    }))

  it.live("mounts on an HttpRouter, its workers living as long as the router's layer", () =>
    Effect.gen(function*() {
      const handled = yield* Queue.unbounded<string>()
      const Routes = HttpRouter.use((router) =>
        Effect.gen(function*() {
          const receiver = yield* LuccaWebhooks.receiver({
            secret: redacted,
            handler: (e) => Queue.offer(handled, e.id)
          })
          yield* router.add("*", "/webhooks/lucca", receiver)
        })
      )
      const { dispose, handler } = HttpRouter.toWebHandler(Routes, { disableLogger: true })
      yield* Effect.addFinalizer(() => Effect.promise(dispose))
      const echo = yield* Effect.promise(() => handler(new Request("http://receiver.test/webhooks/lucca?echo=r")))
      assert.strictEqual(yield* Effect.promise(() => echo.text()), "r")
      assert.strictEqual((yield* Effect.promise(() => handler(signedNow("routed")))).status, 202)
      assert.strictEqual(yield* Queue.take(handled), "routed")
      const elsewhere = yield* Effect.promise(() => handler(new Request("http://receiver.test/other")))
      assert.strictEqual(elsewhere.status, 404)
    }))
})

describe("LuccaWebhooks secret hygiene", () => {
  it.effect("no log line, span or error of the receiver holds the secret, on any path", () =>
    Effect.gen(function*() {
      yield* at()
      const harness = SecretHygiene.make()
      const handled = yield* Queue.unbounded<string>()
      const app = yield* LuccaWebhooks.receiver({
        secret: redacted,
        retry: Schedule.recurs(0),
        handler: (e) => e.id === "fails" ? Effect.fail("the handler failed") : Queue.offer(handled, e.id)
      }).pipe(Effect.provide(harness.layer))
      const send = (d: ReturnType<typeof delivery>) =>
        harness.run(call(app, post(d))).pipe(Effect.provide(harness.layer))
      yield* send(delivery())
      yield* send(delivery({ signature: signature(sentAt, body, "another-secret") }))
      yield* send(delivery({ signature: "not base64!" }))
      yield* send(delivery({ body: "{}" }))
      yield* send(delivery({ timestamp: "2020-01-01T00:00:00Z" }))
      yield* send(eventWith("fails"))
      yield* send(eventWith("after"))
      assert.strictEqual(yield* Queue.take(handled), "2455623")
      assert.strictEqual(yield* Queue.take(handled), "after")
      for (
        const verification of [
          LuccaWebhooks.verify(delivery({ signature: "AAAA" }), redacted),
          LuccaWebhooks.verify(delivery({ body: "[]" }), redacted)
        ]
      ) {
        yield* harness.run(verification)
      }
      assert.isAbove(harness.logCount(), 0)
      assert.isTrue(harness.texts.some((t) => t.includes("InvalidSignature")))
      assert.isTrue(harness.texts.some((t) => t.includes("the handler failed")))
      assert.deepStrictEqual(harness.leaks({ secret }), [])
    }))
})
