/**
 * The Effect 3 line's examples (`examples/src`), ported as this test's fixtures
 * (`./examples`), each run against the v4 emulator on real loopback sockets and checked
 * against the emulator's own data set, with the assertions of `examples/test/examples.test.ts`.
 * Not ported: `pnpm demo` (the examples package's runner, which this line does not have).
 */
import { FakeLucca, FakeLuccaServer, SecretHygiene } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Employees from "./examples/employees.js"
import * as Employments from "./examples/employments.js"
import * as Events from "./examples/events.js"
import * as MissingScope from "./examples/missing-scope.js"
import * as Organisation from "./examples/organisation.js"
import * as Target from "./examples/Target.js"
import * as TokenPerFlow from "./examples/token-per-flow.js"
import * as TwoApplications from "./examples/two-applications.js"
import * as WebhookEndpoints from "./examples/webhook-endpoints.js"
import * as Webhooks from "./examples/webhooks.js"

const emulator = Layer.provideMerge(
  Target.layerFromEmulator,
  FakeLuccaServer.layerFake({ fake: { rateLimit: FakeLucca.luccaRateLimit } })
)

const run = <A, E>(program: Effect.Effect<A, E, Target.Target | FakeLucca.FakeLucca>) =>
  Effect.gen(function*() {
    const fake = yield* FakeLucca.FakeLucca
    const result = yield* program
    return { result, data: yield* fake.data(), stats: yield* fake.stats }
  }).pipe(Effect.provide(emulator))

describe("examples", () => {
  it.live("employees pages through every active employee", () =>
    Effect.gen(function*() {
      const { data, result, stats } = yield* run(Employees.program)
      const active = data.resources.employees.filter((e) => e.status === "active").length
      assert.strictEqual(result.employees, active)
      assert.isBelow(active, data.resources.employees.length, "the status filter is applied")
      assert.isAbove(stats.api.total, 3, "about 90 active employees in pages of 25")
      assert.strictEqual(stats.token.issued, 1)
    }))

  it.live("organisation lists legal entities, establishments and departments", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Organisation.program)
      assert.deepStrictEqual(result, {
        legalEntities: data.resources["legal-entities"].length,
        establishments: data.resources["business-establishments"].length,
        departments: data.resources.departments.length
      })
    }))

  it.live("employments finds last year's employments and their job positions", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Employments.program)
      const since = new Date(Date.now() - 365 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10)
      const recent = data.resources.employments.filter((e) => (e.start as { date: string }).date >= since)
      assert.strictEqual(result.employments, recent.length)
      assert.isAbove(result.employments, 0)
      const ids = new Set(recent.map((e) => e.id))
      assert.strictEqual(
        result.jobPositions,
        data.resources["job-positions"].filter((p) => ids.has((p.employment as { id: string }).id)).length
      )
    }))

  it.live("events counts the feed by topic", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Events.program)
      assert.strictEqual(result.events, data.resources.events.length)
      assert.strictEqual(result.topics, new Set(data.resources.events.map((e) => e.topic)).size)
    }))

  it.live("webhook-endpoints creates an endpoint the emulator then holds", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(WebhookEndpoints.program)
      assert.isDefined(result.created)
      assert.isTrue(data.resources["webhook-endpoints"].some((e) => e.id === result.created))
      assert.strictEqual(result.endpoints, data.resources["webhook-endpoints"].length)
    }))

  it.live("webhooks receives the employee change the emulator delivers, verified, once", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Webhooks.program)
      assert.deepStrictEqual(result, { topic: "employee.updated", employee: "1001" })
      const deliveries = data.resources["webhook-deliveries"].filter((d) =>
        (d.event as { type: string }).type === "employee.updated" && d.attemptsCount === 1
      )
      assert.isTrue(deliveries.some((d) => d.status === "delivered"))
    }))

  it.live("missing-scope explains the Forbidden answer", () =>
    Effect.gen(function*() {
      const { result, stats } = yield* run(MissingScope.program)
      assert.deepStrictEqual(result.forbidden, {
        suggestedScope: "events.readonly",
        grantedScopes: ["employees.readonly"]
      })
      assert.strictEqual(stats.api.byStatus["403"], 1, "a 403 is not retried")
    }))

  it.live("two-applications keeps a token and scopes per application", () =>
    Effect.gen(function*() {
      const { data, result, stats } = yield* run(TwoApplications.program)
      assert.strictEqual(result.employees, data.resources.employees.length)
      assert.strictEqual(result.events, data.resources.events.length)
      assert.deepStrictEqual(result.directoryScopes, ["employees.readonly"])
      assert.deepStrictEqual(result.feedScopes, ["events.readonly"])
      assert.strictEqual(stats.token.issued, 2)
    }))

  it.live("token-per-flow: one token per flow, one for the cached client", () =>
    Effect.gen(function*() {
      const { result } = yield* run(TokenPerFlow.program)
      assert.deepStrictEqual(result, { perFlowTokens: 3, cachedTokens: 1 })
    }))

  it.live("no secret or token in what the examples print, log, trace or fail with", () =>
    Effect.gen(function*() {
      const harness = SecretHygiene.make()
      const printed: Array<string> = []
      // the examples print with Console, which writes to the global console
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const original = { log: console.log, error: console.error }
          console.log = (...args: Array<unknown>) => printed.push(args.map(String).join(" "))
          console.error = (...args: Array<unknown>) => printed.push(args.map(String).join(" "))
          return original
        }),
        (original) => Effect.sync(() => Object.assign(console, original))
      )
      const programs: ReadonlyArray<Effect.Effect<unknown, unknown, Target.Target>> = [
        Employees.program,
        Organisation.program,
        Employments.program,
        Events.program,
        WebhookEndpoints.program,
        Webhooks.program,
        MissingScope.program,
        TwoApplications.program,
        TokenPerFlow.program
      ]
      const secrets: Record<string, Redacted.Redacted<string>> = {}
      let tokens = 0
      for (const [n, program] of programs.entries()) {
        // each example against an emulator of its own, as the tests above run them: the
        // clients of one account in a process share its budget of 50 a minute, and all the
        // examples on one account would wait for it
        yield* Effect.gen(function*() {
          const exit = yield* harness.run(program)
          assert.strictEqual(exit._tag, "Success")
          const fake = yield* FakeLucca.FakeLucca
          for (const application of yield* fake.applications) {
            secrets[`${application.name} (example ${n + 1})`] = application.clientSecret
          }
          for (const token of yield* fake.issuedTokens) secrets[`token ${++tokens}`] = token
        }).pipe(Effect.provide(emulator))
      }
      for (const line of printed) harness.record(line)

      assert.isAtLeast(tokens, 9, "every example got its tokens")
      assert.isAbove(printed.length, 20, "the examples did print")
      assert.deepStrictEqual(harness.leaks(secrets), [])
    }).pipe(Effect.scoped), 30_000)
})
