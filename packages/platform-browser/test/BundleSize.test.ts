/**
 * The bundle-size script runs and prints both figures. A measurement, not a size
 * assertion: the README reports the numbers.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { packageDir } from "./utils/esbuild.js"

const runScript = Effect.async<string, Error>((resume) => {
  const tsx = Path.join(packageDir, "node_modules", ".bin", "tsx")
  execFile(tsx, ["scripts/bundle-size.ts"], { cwd: packageDir, timeout: 60_000 }, (error, stdout, stderr) => {
    resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`${error.message}\n${stderr}`)))
  })
})

const size = String.raw`\d+\.\d kB`

describe("scripts/bundle-size.ts", () => {
  it.live(
    "prints the minified and gzipped sizes of the baseline and of the client worker",
    () =>
      Effect.gen(function*() {
        const output = yield* runScript
        assert.match(
          output,
          new RegExp(`^baseline: effect \\+ FetchHttpClient \\+ Schema.*\\s${size}\\s+${size}$`, "m")
        )
        assert.match(
          output,
          new RegExp(`^client: LuccaWorker runner \\+ BrowserLucca layer\\s+${size}\\s+${size}$`, "m")
        )
        assert.match(
          output,
          new RegExp(`^page: LuccaWorkerClient\\.paginate \\+ Schema, worker layer\\s+${size}\\s+${size}$`, "m")
        )
        assert.match(output, /^target: .* (met|MISSED) /m)
      }),
    60_000
  )
})
