/**
 * The bundle-size script runs and prints every figure. A measurement, not a size
 * assertion: the README reports the numbers.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { packageDir } from "./utils/esbuild.js"

// tsx is the workspace's (v4/node_modules), as `pnpm bundle-size` finds it
const tsx = Path.resolve(packageDir, "../../node_modules/.bin/tsx")

const runScript = Effect.callback<string, Error>((resume) => {
  execFile(tsx, ["scripts/bundle-size.ts"], { cwd: packageDir, timeout: 120_000 }, (error, stdout, stderr) => {
    resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`${error.message}\n${stderr}`)))
  })
})

const size = String.raw`\d+\.\d kB`

describe("scripts/bundle-size.ts", () => {
  it.live(
    "prints the minified and gzipped sizes of the baselines, the client worker and the page",
    () =>
      Effect.gen(function*() {
        const output = yield* runScript
        assert.match(
          output,
          new RegExp(`^baseline: effect \\+ FetchHttpClient \\+ Schema.*\\s${size}\\s+${size}$`, "m")
        )
        assert.match(output, new RegExp(`^baseline \\+ RPC worker runner\\s+${size}\\s+${size}$`, "m"))
        assert.match(
          output,
          new RegExp(`^client: LuccaWorker runner \\+ BrowserLucca layer\\s+${size}\\s+${size}$`, "m")
        )
        assert.match(
          output,
          new RegExp(`^page: LuccaWorkerClient\\.paginate \\+ Schema, worker layer\\s+${size}\\s+${size}$`, "m")
        )
        assert.match(output, /^target .* (met|MISSED) /m)
      }),
    120_000
  )
})
