import { LuccaCli } from "@effect-lucca/cli"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import { fakeEnv, secretsIn, spawnLucca } from "./utils.js"

/** The settings of the emulator's default application on its loopback server. */
const serverEnv = (overrides?: Record<string, string | undefined>) =>
  Effect.map(
    FakeLuccaServer.FakeLuccaServer,
    (server) => fakeEnv({ LUCCA_TOKEN_URL: server.tokenUrl, LUCCA_ACCOUNT_URL: server.url, ...overrides })
  )

const secretsOf = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  const applications = yield* fake.applications
  return [...applications.map((application) => application.clientSecret), ...(yield* fake.issuedTokens)]
})

/** A loopback port nothing listens on: bound by the system, then closed. */
const closedPort = Effect.callback<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

const lines = (text: string) => text.split("\n").filter((line) => line.length > 0)

describe("lucca, as a subprocess against the emulator on loopback", () => {
  it.layer(FakeLuccaServer.layerFake(), { timeout: 60_000 })((it) => {
    it.effect("doctor passes, the clock check included, and exits 0", () =>
      Effect.gen(function*() {
        const outcome = yield* spawnLucca(["doctor"], yield* serverEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stdout + outcome.stderr)
        assert.match(outcome.stdout, /^ok\s+clock\s+this machine's clock is /m)
        assert.notMatch(outcome.stdout, /^(FAIL|skip)/m)
        assert.deepStrictEqual(secretsIn(outcome.stdout + outcome.stderr, yield* secretsOf), [])
      }), { timeout: 60_000 })

    it.effect("doctor with a wrong secret exits 1 with the explanation", () =>
      Effect.gen(function*() {
        const outcome = yield* spawnLucca(["doctor"], yield* serverEnv({ LUCCA_CLIENT_SECRET: "wrong-secret" }))
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Failed)
        assert.match(
          outcome.stdout,
          /^FAIL\s+credentials\s+The token endpoint refused the credentials with invalid_client/m
        )
        assert.include(outcome.stdout, "fix: Check LUCCA_CLIENT_ID and LUCCA_CLIENT_SECRET")
        assert.notInclude(outcome.stdout + outcome.stderr, "wrong-secret")
        assert.notInclude(outcome.stdout + outcome.stderr, "    at ", "no stack trace")
      }), { timeout: 60_000 })

    it.effect("an unreachable host: doctor says which, get exits 4 with what to do", () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const env = yield* serverEnv({
          LUCCA_TOKEN_URL: `http://127.0.0.1:${port}/connect/token`,
          LUCCA_ACCOUNT_URL: `http://127.0.0.1:${port}`
        })
        const doctor = yield* spawnLucca(["doctor"], env)
        assert.strictEqual(doctor.code, LuccaCli.ExitCode.Failed)
        assert.match(doctor.stdout, /^FAIL\s+token host\s+http:\/\/127\.0\.0\.1:\d+\/connect\/token does not answer/m)
        assert.match(doctor.stdout, /^FAIL\s+account\s+http:\/\/127\.0\.0\.1:\d+ does not answer/m)
        const get = yield* spawnLucca(["get", "/lucca-api/employees"], env)
        assert.strictEqual(get.code, LuccaCli.ExitCode.Unavailable)
        assert.strictEqual(get.stdout, "")
        const [what, fix] = lines(get.stderr)
        assert.match(what, /^error: Could not reach the token endpoint http:\/\/127\.0\.0\.1:\d+\/connect\/token/)
        assert.match(fix, /^ {2}fix: Check the network and LUCCA_TOKEN_URL/)
        assert.notInclude(get.stderr, "    at ")
      }), { timeout: 60_000 })

    it.effect("a listing interrupted with SIGINT exits 130, its output whole JSON lines", () =>
      Effect.gen(function*() {
        let interrupted = false
        // one item a page: after the burst, pacing allows a page every 1.3 s, so the whole
        // listing would take minutes
        const outcome = yield* spawnLucca(
          ["list", "/lucca-api/employees", "--page-size", "1"],
          yield* serverEnv(),
          (stdout, child) => {
            if (!interrupted && lines(stdout).length >= 3) {
              interrupted = true
              child.kill("SIGINT")
            }
          }
        )
        assert.isTrue(interrupted, outcome.stderr)
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Interrupted, outcome.stderr)
        assert.isTrue(outcome.stdout.endsWith("\n"))
        const items = lines(outcome.stdout).map((line) => JSON.parse(line) as { id: string })
        assert.isAtLeast(items.length, 3)
        const fake = yield* FakeLucca.FakeLucca
        assert.isBelow(items.length, (yield* fake.data()).resources.employees.length, "stopped before the end")
      }), { timeout: 60_000 })
  })

  it.live("lucca emulator prints settings that lucca doctor accepts", () =>
    Effect.gen(function*() {
      let exports: Record<string, string> = {}
      let doctor: Promise<{ code: number | null; stdout: string }> | undefined
      const emulator = yield* spawnLucca(["emulator", "--port", "0"], {}, (stdout, child) => {
        if (doctor !== undefined || !stdout.includes("\nlucca doctor\n")) return
        exports = Object.fromEntries(
          [...stdout.matchAll(/^export (LUCCA_\w+)=(.*)$/gm)].map(([, name, value]) => [
            name,
            value.replace(/^'(.*)'$/, "$1")
          ])
        )
        doctor = Effect.runPromise(spawnLucca(["doctor"], exports)).finally(() => child.kill("SIGINT"))
      })
      assert.isDefined(doctor, emulator.stdout + emulator.stderr)
      const checked = yield* Effect.promise(() => doctor!)
      assert.strictEqual(checked.code, LuccaCli.ExitCode.Ok, checked.stdout)
      assert.deepStrictEqual(Object.keys(exports).sort(), [
        "LUCCA_ACCOUNT_URL",
        "LUCCA_CLIENT_ID",
        "LUCCA_CLIENT_SECRET",
        "LUCCA_SCOPES",
        "LUCCA_TOKEN_URL"
      ])
      assert.match(emulator.stdout, /^token URL: {5}http:\/\/127\.0\.0\.1:\d+\/connect\/token$/m)
      assert.strictEqual(emulator.code, LuccaCli.ExitCode.Interrupted)
    }), { timeout: 60_000 })
})
