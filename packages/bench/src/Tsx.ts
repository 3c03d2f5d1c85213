/**
 * How child processes run: Node with tsx's loader (`node --import <loader>`), so that each
 * one is a plain Node process with its own heap, not a `tsx` wrapper; and which code of this
 * repository's packages they load.
 *
 * @since 0.0.0
 */
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/**
 * The URL of tsx's ESM loader, as installed for this package.
 *
 * @since 0.0.0
 * @category constants
 */
export const loader = (): string => pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

/**
 * Which code of `@effect-lucca/*` the measuring processes run:
 *
 * - `built`: the ESM that `tsc` emits into each package's `build/esm`, what npm users run;
 * - `source`: the TypeScript, compiled on load by tsx. tsx compiles with esbuild's
 *   `keepNames`, which wraps every function created at run time in a `__name` call (an
 *   `Object.defineProperty`): per request the source costs more than the package.
 *
 * The choice travels to every child process in `EFFECT_LUCCA_BENCH_CODE`.
 *
 * @since 0.0.0
 * @category models
 */
export type Code = "built" | "source"

const variable = "EFFECT_LUCCA_BENCH_CODE"

/**
 * @since 0.0.0
 * @category code
 */
export const code = (): Code => process.env[variable] === "source" ? "source" : "built"

/**
 * Chooses the code for this process and its children; `built` compiles the packages first
 * (`tsc -b`, which skips what is up to date).
 *
 * @since 0.0.0
 * @category code
 */
export const useCode = (code: Code): void => {
  process.env[variable] = code
  if (code === "source") return
  process.env.EFFECT_LUCCA_BENCH_PACKAGES = packages.join(",")
  const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [
    tsc,
    "-b",
    ...packages.map((name) => Path.join(root, name, "tsconfig.build.json"))
  ], { stdio: "inherit" })
}

/**
 * The packages of this repository that the measuring processes load, under `packages/`.
 *
 * @since 0.0.0
 * @category code
 */
export const packages = ["core", "platform-node", "testing", "redis"] as const

/**
 * The Node flags of a child process: tsx's loader, and the built packages unless the
 * source is measured.
 *
 * @since 0.0.0
 * @category code
 */
export const execArgv = (): Array<string> => [
  "--import",
  loader(),
  ...(code() === "built" ? ["--import", new URL("./registerBuilt.mjs", import.meta.url).href] : [])
]
