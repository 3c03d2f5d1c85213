/**
 * Scenario 6, browser bundle: the figures of the browser package's own measurement
 * (`pnpm --filter @effect-lucca/platform-browser bundle-size`), when that package has one:
 * its sizes and target in the table and, with `breakdown` (the full bench), what each
 * package and module of the worker costs in the notes. The bench does not measure bundles itself: it
 * would only duplicate that script.
 *
 * @since 0.0.0
 */
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as Scenario from "./Scenario.js"

/**
 * @since 0.0.0
 * @category constants
 */
export const id = "bundle"

const title = "6. Browser bundle"
const contender = "@effect-lucca/platform-browser"
const repositoryRoot = Path.resolve(import.meta.dirname, "..", "..", "..")
const browserPackage = Path.join(repositoryRoot, "packages", "platform-browser")

/** Whether the browser package declares the script and its entry file exists. */
const available = (): boolean => {
  try {
    const manifest = JSON.parse(Fs.readFileSync(Path.join(browserPackage, "package.json"), "utf8")) as {
      readonly scripts?: Record<string, string>
    }
    const script = manifest.scripts?.["bundle-size"]
    if (script === undefined) return false
    // "tsx scripts/bundle-size.ts": the file must be there too
    const file = script.split(/\s+/).find((part) => /\.[cm]?[jt]s$/.test(part))
    return file === undefined || Fs.existsSync(Path.join(browserPackage, file))
  } catch {
    return false
  }
}

const runScript = (
  breakdown: boolean
): Promise<{ readonly code: number | null; readonly output: string }> =>
  new Promise((resolve) => {
    const child = spawn("pnpm", [
      "--silent",
      "--filter",
      "@effect-lucca/platform-browser",
      "bundle-size",
      ...(breakdown ? ["--breakdown"] : [])
    ], {
      cwd: repositoryRoot,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    // bounded: a bundler that hangs must not hang the bench
    const timer = setTimeout(() => child.kill("SIGKILL"), 5 * 60_000)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
    child.once("error", (error) => {
      clearTimeout(timer)
      resolve({ code: -1, output: error.message })
    })
  })

const notAvailable = (why: string): Scenario.Row => ({
  scenario: title,
  contender,
  figures: `not available (${why})`,
  ratio: "",
  target: "(figures only)",
  verdict: "not available"
})

/**
 * Runs the browser package's bundle measurement, if there is one.
 *
 * @since 0.0.0
 * @category scenarios
 */
export const measure = async (
  log: (line: string) => void,
  options?: { readonly breakdown?: boolean | undefined }
): Promise<{ readonly rows: ReadonlyArray<Scenario.Row>; readonly notes: ReadonlyArray<string> }> => {
  if (!available()) {
    log(`${title} · not available: the browser package has no bundle-size script yet`)
    return { rows: [notAvailable("no bundle-size script in @effect-lucca/platform-browser")], notes: [] }
  }
  const { code, output } = await runScript(options?.breakdown === true)
  const nonEmpty = (text: string) => text.split("\n").map((line) => line.trimEnd()).filter((line) => line.trim() !== "")
  // the sizes and the target come first; the breakdown, if any, after a blank line
  const lines = nonEmpty(output.trimStart().split(/\n\s*\n/)[0] ?? "")
  log(`${title} · bundle-size exited with ${code}`)
  if (code !== 0) {
    return { rows: [notAvailable(`bundle-size failed with exit code ${code}`)], notes: nonEmpty(output) }
  }
  // the script's own format is kept: its size lines become the figures, its target line
  // (if any) the target and the verdict
  const targetLine = lines.find((line) => /^\s*target:/i.test(line))
  const sized = lines.filter((line) => line !== targetLine && /\d\s*(?:[kKmM]i?B|bytes)\b/.test(line))
  const compact = (line: string) => line.trim().replace(/\s{2,}/g, " ")
  const target = targetLine?.trim().replace(/^target:\s*/i, "").replace(/:\s*(MET|MISSED)\b.*$/i, "")
  const verdict = targetLine === undefined
    ? "reference"
    : /:\s*MISSED\b/i.test(targetLine)
    ? "missed"
    : /:\s*MET\b/i.test(targetLine)
    ? "met"
    : "reference"
  const header = lines.find((line) => !sized.includes(line) && line !== targetLine)
  return {
    rows: [{
      scenario: title,
      contender,
      figures: [
        ...(header === undefined ? [] : [`(${compact(header)})`]),
        ...(sized.length > 0 ? sized : lines).map(compact)
      ].join("; "),
      ratio: targetLine === undefined ? "" : compact(targetLine.replace(/^.*:\s*(?=MET|MISSED)/i, "")),
      target: target === undefined ? "(figures only)" : compact(target),
      verdict
    }],
    notes: ["bundle-size output:", ...nonEmpty(output).map((line) => `    ${line}`)]
  }
}
