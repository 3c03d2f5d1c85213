/**
 * `pnpm bench --quick`, run the way CI runs it: a subprocess whose table must show a row
 * for every scenario and contender. No timing is asserted: CI machines are too noisy for
 * that, and the quick sizes prove nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as Path from "node:path"
import * as BrowserBundle from "../src/BrowserBundle.js"
import * as Scenarios from "../src/Scenarios.js"

const packageDir = Path.resolve(import.meta.dirname, "..")

// The fleet scenario starts Debian's redis-server: without it (outside CI) that scenario is
// left out, and says so; in CI (CI=true) nothing is left out.
const redisServer = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0
const fleet = "fleet"
if (!redisServer) {
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed (CI=true): apt-get install redis-server")
  }
  console.warn(
    "SKIPPED packages/bench: the fleet scenario of `pnpm bench --quick` (redis-server is not installed: apt-get install redis-server)"
  )
}
const scenarios = Scenarios.all.filter((scenario) => redisServer || scenario.id !== fleet)

const runQuick = () =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
    const only = redisServer ? [] : ["--only", [...scenarios.map((s) => s.id), BrowserBundle.id].join(",")]
    // `--import tsx` is resolved from the working directory, the bench package
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", "--quick", ...only], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const timer = setTimeout(() => child.kill("SIGKILL"), 170_000)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

describe("pnpm bench --quick", () => {
  it("prints the table with a row for every scenario and contender", async () => {
    const { code, stderr, stdout } = await runQuick()
    assert.strictEqual(code, 0, `bench --quick failed:\n${stderr}\n${stdout}`)
    const rows = stdout.split("\n").filter((line) => /^\| \d\. /.test(line))
    for (const scenario of scenarios) {
      const number = scenario.title.split(" ")[0]
      for (const job of scenario.plan("quick").jobs) {
        assert.isTrue(
          rows.some((row) => row.startsWith(`| ${number} `) && row.includes(`| ${job.contender} `)),
          `no row for ${scenario.title} / ${job.contender} in:\n${stdout}`
        )
      }
    }
    assert.isTrue(rows.some((row) => row.startsWith("| 6. Browser bundle")), `no browser bundle row in:\n${stdout}`)
    assert.isFalse(rows.some((row) => row.includes("failed:")), stdout)
  })
})
