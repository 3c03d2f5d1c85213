/**
 * Every example, run against the emulator on real loopback sockets, checked against the
 * emulator's own data set; then `pnpm demo` as a user runs it.
 */
import { FakeLucca, FakeLuccaServer, SecretHygiene } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Absences from "../src/absences.js"
import * as CreateLeave from "../src/create-leave.js"
import * as Employees from "../src/employees.js"
import * as MissingScope from "../src/missing-scope.js"
import * as Organisation from "../src/organisation.js"
import * as Target from "../src/Target.js"
import * as TokenPerFlow from "../src/token-per-flow.js"
import * as TwoApplications from "../src/two-applications.js"

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
  it.live("employees pages through every employee", () =>
    Effect.gen(function*() {
      const { data, result, stats } = yield* run(Employees.program)
      assert.strictEqual(result.employees, data.employees.length)
      assert.isAbove(stats.api.total, 3, "100 employees in pages of 25")
      assert.strictEqual(stats.token.issued, 1)
    }))

  it.live("organisation lists establishments and departments", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Organisation.program)
      assert.strictEqual(result.establishments, data.businessEstablishments.length)
      assert.strictEqual(result.departments, data.departments.length)
    }))

  it.live("absences finds this month's leaves and pending requests", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(Absences.program)
      const first = data.referenceMonth
      const [y, m] = first.split("-").map(Number)
      const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
      const inMonth = (item: { startsOn: string; endsOn: string }) => item.startsOn <= last && item.endsOn >= first
      assert.strictEqual(result.leaves, data.leaves.filter(inMonth).length)
      assert.isAbove(result.leaves, 0)
      assert.strictEqual(
        result.pendingRequests,
        data.leaveRequests.filter((r) => r.status === "pending" && inMonth(r)).length
      )
    }))

  it.live("create-leave creates a leave the emulator then holds", () =>
    Effect.gen(function*() {
      const { data, result } = yield* run(CreateLeave.program)
      assert.isDefined(result.created)
      assert.isTrue(data.leaves.some((leave) => leave.id === result.created))
    }))

  it.live("missing-scope explains the Forbidden answer", () =>
    Effect.gen(function*() {
      const { result, stats } = yield* run(MissingScope.program)
      assert.deepStrictEqual(result.forbidden, {
        suggestedScope: "leaves.readonly",
        grantedScopes: ["employees.readonly"]
      })
      assert.strictEqual(stats.api.byStatus["403"], 1, "a 403 is not retried")
    }))

  it.live("two-applications keeps a token and scopes per application", () =>
    Effect.gen(function*() {
      const { data, result, stats } = yield* run(TwoApplications.program)
      assert.strictEqual(result.employees, data.employees.length)
      assert.strictEqual(result.leaves, data.leaves.length)
      assert.deepStrictEqual(result.directoryScopes, ["employees.readonly"])
      assert.deepStrictEqual(result.absencesScopes, ["leaves.readonly"])
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
        Absences.program,
        CreateLeave.program,
        MissingScope.program,
        TwoApplications.program,
        TokenPerFlow.program
      ]
      for (const program of programs) {
        const exit = yield* harness.run(program)
        assert.strictEqual(exit._tag, "Success")
      }
      for (const line of printed) harness.record(line)

      const fake = yield* FakeLucca.FakeLucca
      const secrets: Record<string, Redacted.Redacted<string>> = {}
      for (const application of yield* fake.applications) secrets[application.name] = application.clientSecret
      const tokens = yield* fake.issuedTokens
      tokens.forEach((token, i) => secrets[`token ${i + 1}`] = token)
      assert.isAtLeast(tokens.length, 8, "every example got its tokens")
      assert.isAbove(printed.length, 20, "the examples did print")
      assert.deepStrictEqual(harness.leaks(secrets), [])
    }).pipe(Effect.scoped, Effect.provide(emulator)))

  it("pnpm demo runs every example and prints the summary", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url))
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const env = { ...process.env }
      for (const name of ["LUCCA_CLIENT_ID", "LUCCA_CLIENT_SECRET", "LUCCA_ACCOUNT_URL"]) delete env[name]
      const child = execFile(
        "pnpm",
        ["demo"],
        { cwd: root, env, timeout: 120_000 },
        (error, stdout) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout })
      )
      child.stdin?.end()
    })
    assert.strictEqual(code, 0, stdout)
    assert.include(stdout, "7 passed, 0 failed")
    assert.include(stdout, "against the local Lucca emulator")
  }, 120_000)
})
