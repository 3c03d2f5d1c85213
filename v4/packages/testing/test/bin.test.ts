import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
// node itself runs the command (tsx only as a loader): a signal reaches the emulator's process
const command = [process.execPath, "--import", "tsx", "src/bin.ts"] as const

/** Starts `fake-lucca` and waits for its banner; the scope sends SIGINT if the test did not. */
const start = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.callback<{ child: ReturnType<typeof spawn>; banner: string; exit: Promise<number | null> }, Error>(
      (resume) => {
        const child = spawn(command[0], [...command.slice(1), ...args], {
          cwd: packageDir,
          stdio: ["ignore", "pipe", "pipe"]
        })
        const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
        let output = ""
        let errors = ""
        child.stderr!.on("data", (chunk) => errors += chunk)
        child.stdout!.on("data", (chunk) => {
          output += chunk
          // the banner ends with the export lines
          if (/^export LUCCA_SCOPES=.*\n/m.test(output)) resume(Effect.succeed({ child, banner: output, exit }))
        })
        child.on("exit", (code) => resume(Effect.fail(new Error(`fake-lucca exited with ${code}: ${errors}`))))
      }
    ),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGINT"))
  )

const field = (banner: string, name: string) => {
  const match = new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(banner)
  assert.isNotNull(match, `${name} in ${banner}`)
  return match![1]
}

/** Runs `fake-lucca` to its end and returns its exit code and output. */
const run = (args: ReadonlyArray<string>) =>
  Effect.callback<{ code: number | null; stdout: string; stderr: string }>((resume) => {
    const child = spawn(command[0], [...command.slice(1), ...args], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => stdout += chunk)
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  })

describe("fake-lucca", () => {
  it.live("stops cleanly on SIGTERM and closes its socket", () =>
    Effect.gen(function*() {
      const { banner, child, exit } = yield* start(["--port", "0"])
      const tokenUrl = field(banner, "token URL")
      child.kill("SIGTERM")
      assert.strictEqual(yield* Effect.promise(() => exit), 0)
      const refused = yield* Effect.promise(() => fetch(tokenUrl, { method: "POST" }).then(() => false, () => true))
      assert.isTrue(refused, "the port still answers after SIGTERM")
    }), { timeout: 30_000 })

  it.effect("prints its usage on --help", () =>
    Effect.gen(function*() {
      const { code, stdout } = yield* run(["--help"])
      assert.strictEqual(code, 0)
      assert.include(stdout, "Usage: fake-lucca")
    }), { timeout: 30_000 })

  it.effect(
    "refuses an unknown flag with exit code 2, one clear line and no stack trace",
    () =>
      Effect.gen(function*() {
        const { code, stderr } = yield* run(["--prot", "8080"])
        assert.strictEqual(code, 2)
        assert.include(stderr, "fake-lucca: Unknown option '--prot'")
        assert.notInclude(stderr, "    at ")
      }),
    { timeout: 30_000 }
  )

  it.effect("refuses a port that is not a number with exit code 2", () =>
    Effect.gen(function*() {
      const { code, stderr } = yield* run(["--port", "eighty"])
      assert.strictEqual(code, 2)
      assert.include(stderr, "--port must be a non-negative integer, got 'eighty'")
    }), { timeout: 30_000 })

  it.live("prints working URLs and credentials, and stops cleanly on SIGINT", () =>
    Effect.gen(function*() {
      const { banner, child, exit } = yield* start(["--port", "0"])
      const tokenUrl = field(banner, "token URL")
      const accountUrl = field(banner, "account URL")
      const clientId = field(banner, "client id")
      const clientSecret = field(banner, "client secret")
      assert.match(tokenUrl, /^http:\/\/127\.0\.0\.1:\d+\/connect\/token$/)
      assert.include(banner, "50 requests per 1m per account")

      const token = yield* Effect.promise(async () => {
        const response = await fetch(tokenUrl, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: clientId,
            client_secret: clientSecret
          })
        })
        assert.strictEqual(response.status, 200)
        return (await response.json()).access_token as string
      })
      const employees = yield* Effect.promise(() =>
        fetch(`${accountUrl}/lucca-api/employees`, {
          headers: { authorization: `Bearer ${token}`, "api-version": "2024-11-01" }
        })
      )
      assert.strictEqual(employees.status, 200)

      child.kill("SIGINT")
      assert.strictEqual(yield* Effect.promise(() => exit), 0)
    }), { timeout: 30_000 })

  it.live("prints export lines that a shell turns into the same settings", () =>
    Effect.gen(function*() {
      const { banner } = yield* start(["--port", "0"])
      const exports = banner.split("\n").filter((line) => line.startsWith("export LUCCA_"))
      assert.deepStrictEqual(
        exports.map((line) => /^export (\w+)=/.exec(line)?.[1]),
        ["LUCCA_TOKEN_URL", "LUCCA_ACCOUNT_URL", "LUCCA_CLIENT_ID", "LUCCA_CLIENT_SECRET", "LUCCA_SCOPES"]
      )
      // what the shell makes of them, as a user pasting them gets
      const env = ChildProcess.execFileSync("sh", ["-c", `${exports.join("\n")}\nenv`], {
        encoding: "utf8",
        env: { PATH: process.env.PATH }
      })
      const variable = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(env)?.[1]
      assert.strictEqual(variable("LUCCA_TOKEN_URL"), field(banner, "token URL"))
      assert.strictEqual(variable("LUCCA_ACCOUNT_URL"), field(banner, "account URL"))
      assert.strictEqual(variable("LUCCA_CLIENT_ID"), field(banner, "client id"))
      assert.strictEqual(variable("LUCCA_CLIENT_SECRET"), field(banner, "client secret"))
      assert.strictEqual(variable("LUCCA_SCOPES"), /^scopes:\s+(.+)$/m.exec(banner)?.[1])
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
