import type { AccessToken } from "@effect-lucca/core"
import { LuccaError, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import { clientSecret, credentials, eventually, json, makeFake, okToken, pollUntil, tokenFor } from "./fixtures.js"

const value = (token: AccessToken.AccessToken) => Redacted.value(token.value)

const setup = Effect.gen(function*() {
  const fake = makeFake()
  const provider = yield* TokenProvider.make(credentials).pipe(Effect.provide(fake.layer))
  return { fake, provider }
})

/** Makes the n-th token request wait for the returned gate. */
const gateRequest = (fake: ReturnType<typeof makeFake>, n: number) =>
  Effect.map(Deferred.make<void>(), (gate) => {
    const previous = fake.state.onToken
    fake.state.onToken = (i, request) =>
      i === n ? Effect.andThen(Deferred.await(gate), previous(i, request)) : previous(i, request)
    return gate
  })

describe("TokenProvider", () => {
  it.effect("1,000 concurrent callers on a cold cache cause one token request", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      const gate = yield* gateRequest(fake, 1)
      const callers = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 1000 }, () => provider.get), { concurrency: "unbounded" })
      )
      // every caller is now suspended, waiting; a naive cache would have sent 1,000 requests
      yield* TestClock.adjust(0)
      yield* Deferred.succeed(gate, void 0)
      const tokens = yield* Fiber.join(callers)
      assert.strictEqual(fake.state.tokenRequests.length, 1)
      assert.strictEqual(new Set(tokens.map(value)).size, 1)
      assert.strictEqual(value(tokens[0]), tokenFor(1))
    }))

  it.effect("serves the cached token while it is fresh", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      yield* provider.get
      yield* TestClock.adjust("20 minutes")
      const token = yield* provider.get
      assert.strictEqual(value(token), tokenFor(1))
      assert.strictEqual(fake.state.tokenRequests.length, 1)
    }))

  it.effect("at 26 minutes no caller waits and one background refresh happens", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      yield* provider.get
      const gate = yield* gateRequest(fake, 2)
      yield* TestClock.adjust("26 minutes")
      // the refresh is held at the gate: callers that waited for it would never return
      const served = yield* Effect.all(Array.from({ length: 50 }, () => provider.get), { concurrency: "unbounded" })
      assert.deepStrictEqual(new Set(served.map(value)), new Set([tokenFor(1)]))
      // Effect 4 starts a forked fiber on the next scheduler turn: let the refresh reach the gate
      yield* eventually(() => fake.state.tokenRequests.length >= 2)
      assert.strictEqual(fake.state.tokenRequests.length, 2)
      yield* Deferred.succeed(gate, void 0)
      // the background fiber stores the new token shortly after the gate opens
      const latest = yield* pollUntil(provider.get, (token) => value(token) === tokenFor(2))
      assert.strictEqual(value(latest), tokenFor(2))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("inside the hard margin callers wait for one fetch", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      yield* provider.get
      const gate = yield* gateRequest(fake, 2)
      yield* TestClock.adjust(Duration.sum(Duration.minutes(29), Duration.seconds(45)))
      const callers = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 20 }, () => provider.get), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust(0)
      assert.isUndefined(callers.pollUnsafe(), "callers must wait past the hard margin")
      yield* Deferred.succeed(gate, void 0)
      const tokens = yield* Fiber.join(callers)
      assert.deepStrictEqual(new Set(tokens.map(value)), new Set([tokenFor(2)]))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a failed refresh ahead keeps serving the current token until the hard margin", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      yield* provider.get
      fake.state.onToken = () => Effect.succeed(new Response("busy", { status: 503 }))
      yield* TestClock.adjust("26 minutes")
      assert.strictEqual(value(yield* provider.get), tokenFor(1))
      yield* eventually(() => fake.state.tokenRequests.length === 2)
      yield* TestClock.adjust("3 minutes")
      assert.strictEqual(value(yield* provider.get), tokenFor(1))
      // past the hard margin callers wait; once the retry budget is spent the failure reaches them
      yield* TestClock.adjust("40 seconds")
      const caller = yield* Effect.forkChild(Effect.flip(provider.get))
      yield* TestClock.adjust("31 seconds")
      const error = yield* Fiber.join(caller)
      assert.instanceOf(error, LuccaError.TokenRequestError)
    }))

  describe("retries", () => {
    it.effect("a transient failure is retried with backoff and the caller gets the token", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        fake.state.onToken = (n) =>
          Effect.succeed(n < 3 ? new Response("<html>502</html>", { status: 502 }) : okToken(n))
        const caller = yield* Effect.forkChild(provider.get)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(value(yield* Fiber.join(caller)), tokenFor(3))
        assert.strictEqual(fake.state.tokenRequests.length, 3)
      }))

    it.effect("an OAuth error body under a 429 or 5xx status is transient, and its Retry-After is honoured", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        fake.state.onToken = (n) =>
          Effect.succeed(
            n === 1 ? json(429, { error: "too_many_requests" }, { "retry-after": "4" }) : okToken(n)
          )
        const caller = yield* Effect.forkChild(provider.get)
        yield* TestClock.adjust("3 seconds")
        assert.strictEqual(fake.state.tokenRequests.length, 1)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(value(yield* Fiber.join(caller)), tokenFor(2))
      }))

    it.effect("a permanent OAuth error fails at once", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        fake.state.onToken = () => Effect.succeed(json(401, { error: "invalid_client" }))
        const error = yield* Effect.flip(provider.get)
        assert.instanceOf(error, LuccaError.OAuthError)
        assert.strictEqual(fake.state.tokenRequests.length, 1)
      }))

    it.effect("Retry-After is honoured", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        fake.state.onToken = (n) =>
          Effect.succeed(
            n === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "20" } }) : okToken(n)
          )
        const caller = yield* Effect.forkChild(provider.get)
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(fake.state.tokenRequests.length, 1)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(value(yield* Fiber.join(caller)), tokenFor(2))
      }))

    it.effect("retries stop when the budget is spent", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = () => Effect.succeed(new Response("down", { status: 503 }))
        const provider = yield* TokenProvider.make({ ...credentials, tokenRetry: { budget: "10 seconds" } }).pipe(
          Effect.provide(fake.layer)
        )
        const caller = yield* Effect.forkChild(Effect.flip(provider.get))
        yield* TestClock.adjust("11 seconds")
        const error = yield* Fiber.join(caller)
        assert.instanceOf(error, LuccaError.TokenRequestError)
        const sent = fake.state.tokenRequests.length
        assert.isAbove(sent, 2)
        yield* TestClock.adjust("1 minute")
        assert.strictEqual(fake.state.tokenRequests.length, sent, "no request after the caller was answered")
      }))

    it.effect("every retry is logged with its reason and its delay, never a secret", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        // a server that echoes the form body it was sent, secret included
        fake.state.onToken = (n, request) =>
          Effect.succeed(
            n < 3 ? new Response(`bad gateway: ${request.body}`, { status: 502 }) : okToken(n)
          )
        const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
        const logger = Logger.make(({ fiber, logLevel, message }) =>
          lines.push({
            level: logLevel,
            message: String(message),
            annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
          })
        )
        const caller = yield* Effect.forkChild(provider.get.pipe(Effect.provide(Logger.layer([logger]))))
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(value(yield* Fiber.join(caller)), tokenFor(3))
        const retries = lines.filter((line) => line.message.startsWith("Lucca token request failed"))
        assert.strictEqual(retries.length, 2, JSON.stringify(lines))
        for (const [i, line] of retries.entries()) {
          assert.strictEqual(line.level, "Info")
          assert.include(line.message, "Status 502")
          assert.match(line.message, new RegExp(`retry ${i + 1} in (\\d+s )?\\d+ms$`))
          assert.strictEqual(line.annotations["lucca.token_retry"], i + 1)
          assert.isNumber(line.annotations["lucca.token_retry_delay_ms"])
          assert.isAbove(line.annotations["lucca.token_retry_delay_ms"] as number, 0)
          assert.strictEqual(
            line.annotations["lucca.token_url"],
            "https://accounts.world.luccasoftware.com/connect/token"
          )
        }
        assert.notInclude(JSON.stringify(lines), clientSecret)
      }))

    it.effect("tokenRetry: false reports the first failure", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = () => Effect.succeed(new Response("down", { status: 503 }))
        const provider = yield* TokenProvider.make({ ...credentials, tokenRetry: false }).pipe(
          Effect.provide(fake.layer)
        )
        yield* Effect.flip(provider.get)
        assert.strictEqual(fake.state.tokenRequests.length, 1)
      }))

    it.effect("a caller waiting on a refresh ahead that gives up gets a request of its own", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        const first = yield* provider.get
        // the refresh ahead fails until the old token's hard margin; later requests succeed
        fake.state.onToken = (n) => Effect.succeed(n <= 6 ? new Response("down", { status: 503 }) : okToken(n))
        yield* TestClock.adjust(Duration.sum(Duration.minutes(29), Duration.seconds(25)))
        assert.strictEqual(value(yield* provider.get), tokenFor(1))
        // a 401 on the first token: the caller must now wait for the refresh under way
        yield* provider.invalidate(first)
        const caller = yield* Effect.forkChild(provider.get)
        yield* TestClock.adjust("20 seconds")
        const token = yield* Fiber.join(caller)
        // the token comes from a request sent after the six that failed
        const issued = Number(value(token).split("-")[1])
        assert.isAbove(issued, 6)
        assert.isAtMost(issued, fake.state.tokenRequests.length)
      }))

    it.effect("a token request that never answers times out, and does not hold the cache", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = (n) => n === 1 ? Effect.never : Effect.succeed(okToken(n))
        const provider = yield* TokenProvider.make({ ...credentials, timeout: "2 seconds", tokenRetry: false }).pipe(
          Effect.provide(fake.layer)
        )
        const caller = yield* Effect.forkChild(Effect.flip(provider.get))
        yield* TestClock.adjust("2 seconds")
        const error = yield* Fiber.join(caller)
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag === "TokenRequestError") assert.strictEqual(error.reason, "Timeout")
        assert.strictEqual(value(yield* provider.get), tokenFor(2))
      }))

    it.effect("a caller stays interruptible when it falls back from a failed refresh ahead", () =>
      Effect.gen(function*() {
        const fake = makeFake()
        const provider = yield* TokenProvider.make({ ...credentials, tokenRetry: false }).pipe(
          Effect.provide(fake.layer)
        )
        const first = yield* provider.get
        const gate = yield* Deferred.make<void>()
        // the refresh ahead fails once the gate opens; the foreground request never answers
        fake.state.onToken = (n) =>
          n === 2
            ? Effect.as(Deferred.await(gate), new Response("down", { status: 503 }))
            : Effect.never
        yield* TestClock.adjust(Duration.sum(Duration.minutes(29), Duration.seconds(25)))
        yield* provider.get
        yield* provider.invalidate(first)
        const caller = yield* Effect.forkChild(Effect.timeout(provider.get, "1 second"))
        yield* TestClock.adjust(0)
        yield* Deferred.succeed(gate, void 0)
        yield* eventually(() => fake.state.tokenRequests.length === 3)
        yield* TestClock.adjust("1 second")
        const outcome = yield* Effect.flip(Fiber.join(caller))
        assert.strictEqual(outcome._tag, "TimeoutError")
      }))

    it.effect("a failing refresh ahead logs one warning while it retries", () =>
      Effect.gen(function*() {
        const { fake, provider } = yield* setup
        const warnings: Array<string> = []
        yield* provider.get
        fake.state.onToken = (n) => Effect.succeed(n < 5 ? new Response("down", { status: 503 }) : okToken(n))
        yield* TestClock.adjust("26 minutes")
        yield* provider.get.pipe(
          Effect.provide(
            Logger.layer([
              Logger.make(({ logLevel, message }) => logLevel === "Warn" && warnings.push(String(message)))
            ])
          )
        )
        yield* eventually(() => fake.state.tokenRequests.length === 2)
        for (let i = 0; i < 6; i++) {
          yield* TestClock.adjust("5 seconds")
          yield* eventually(() => true)
        }
        const latest = yield* pollUntil(provider.get, (token) => value(token) === tokenFor(5))
        assert.strictEqual(value(latest), tokenFor(5))
        assert.strictEqual(warnings.length, 1)
        assert.notInclude(warnings[0], clientSecret)
      }))
  })

  it.effect("failures are not cached: the next caller tries again", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      fake.state.onToken = (n) => Effect.succeed(n === 1 ? json(400, { error: "invalid_scope" }) : okToken(n))
      const first = yield* Effect.exit(provider.get)
      assert.isTrue(Exit.isFailure(first))
      const second = yield* provider.get
      assert.strictEqual(value(second), tokenFor(2))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("invalidate drops only the token it names", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      const first = yield* provider.get
      yield* provider.invalidate(first)
      const second = yield* provider.get
      assert.strictEqual(value(second), tokenFor(2))
      // a late 401 on the first token must not drop the second
      yield* provider.invalidate(first)
      assert.strictEqual(value(yield* provider.get), tokenFor(2))
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("short-lived tokens shrink the margins instead of refreshing continuously", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      fake.state.onToken = (n) => Effect.succeed(okToken(n, 60))
      yield* provider.get
      // the default 5 minute window would cover the whole minute: it shrinks to 30 s
      yield* TestClock.adjust("20 seconds")
      yield* provider.get
      assert.strictEqual(fake.state.tokenRequests.length, 1)
      yield* TestClock.adjust("15 seconds")
      assert.strictEqual(value(yield* provider.get), tokenFor(1))
      yield* eventually(() => fake.state.tokenRequests.length === 2)
    }))

  it.effect("an interrupted caller does not cancel the request others wait for", () =>
    Effect.gen(function*() {
      const { fake, provider } = yield* setup
      const gate = yield* gateRequest(fake, 1)
      const first = yield* Effect.forkChild(provider.get)
      const second = yield* Effect.forkChild(provider.get)
      yield* TestClock.adjust(0)
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, void 0)
      assert.strictEqual(value(yield* Fiber.join(second)), tokenFor(1))
      assert.strictEqual(fake.state.tokenRequests.length, 1)
    }))

  it.effect("providers of different client applications keep separate caches", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onToken = (n, request) =>
        Effect.succeed(
          json(200, {
            access_token: `${new URLSearchParams(request.body).get("client_id")}-${n}`,
            token_type: "Bearer",
            expires_in: 1800
          })
        )
      const payroll = yield* TokenProvider.make({ ...credentials, clientId: "payroll" }).pipe(
        Effect.provide(fake.layer)
      )
      const absences = yield* TokenProvider.make({ ...credentials, clientId: "absences", scopes: ["leaves.readonly"] })
        .pipe(Effect.provide(fake.layer))
      assert.strictEqual(value(yield* payroll.get), "payroll-1")
      assert.strictEqual(value(yield* absences.get), "absences-2")
      assert.strictEqual(value(yield* payroll.get), "payroll-1")
      yield* payroll.invalidate(yield* payroll.get)
      assert.strictEqual(value(yield* absences.get), "absences-2")
      assert.strictEqual(value(yield* payroll.get), "payroll-3")
    }))

  it.effect("the static provider serves one token and ignores invalidation", () =>
    Effect.gen(function*() {
      const provider = TokenProvider.makeStatic("static-token", { scopes: ["employees.readonly"] })
      const token = yield* provider.get
      yield* provider.invalidate(token)
      yield* TestClock.adjust("1000 days")
      assert.strictEqual(value(yield* provider.get), "static-token")
      assert.deepStrictEqual(token.scopes, ["employees.readonly"])
    }))
})
