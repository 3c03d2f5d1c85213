/**
 * The machine and the exact versions measured, printed above the table: figures mean
 * nothing without them.
 *
 * @since 0.0.0
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Tsx from "./Tsx.js"

const packageDir = Path.resolve(import.meta.dirname, "..")

const versionAt = (dir: string): string => {
  try {
    return (JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8")) as { version: string }).version
  } catch {
    return "not installed"
  }
}

/** The real directory of a package the bench depends on (pnpm links them). */
const packagePath = (name: string): string => Fs.realpathSync(Path.join(packageDir, "node_modules", name))

/** A dependency of `parent` as pnpm lays it out: a sibling of `parent`'s own directory. */
const dependencyPath = (parent: string, name: string): string => {
  const parentName = JSON.parse(Fs.readFileSync(Path.join(packagePath(parent), "package.json"), "utf8")).name as string
  const root = Path.resolve(packagePath(parent), ...parentName.split("/").map(() => ".."))
  return Fs.realpathSync(Path.join(root, name))
}

const safe = (f: () => string): string => {
  try {
    return f()
  } catch {
    return "not installed"
  }
}

/**
 * `name version` of every library whose code runs in a measurement.
 *
 * @since 0.0.0
 * @category info
 */
export const versions = (): ReadonlyArray<readonly [string, string]> => [
  ["effect", safe(() => versionAt(packagePath("effect")))],
  ["@effect/platform", safe(() => versionAt(packagePath("@effect/platform")))],
  ["@effect/platform-node", safe(() => versionAt(packagePath("@effect/platform-node")))],
  ["@effect/experimental", safe(() => versionAt(packagePath("@effect/experimental")))],
  [
    "undici (used by @effect/platform-node)",
    safe(() => versionAt(dependencyPath("@effect/platform-node", "undici")))
  ],
  ["undici (undici.request)", safe(() => versionAt(packagePath("undici")))],
  ["simple-oauth2", safe(() => versionAt(packagePath("simple-oauth2")))],
  ["@hapi/wreck (used by simple-oauth2)", safe(() => versionAt(dependencyPath("simple-oauth2", "@hapi/wreck")))],
  ["openid-client", safe(() => versionAt(packagePath("openid-client")))],
  ["oauth4webapi (used by openid-client)", safe(() => versionAt(dependencyPath("openid-client", "oauth4webapi")))],
  ["Node's bundled undici (fetch, used by openid-client)", process.versions.undici ?? "unknown"],
  ["tsx", safe(() => versionAt(packagePath("tsx")))],
  ["@effect-lucca/core", safe(() => versionAt(packagePath("@effect-lucca/core")))]
]

const repositoryRoot = Path.resolve(packageDir, "..", "..")

const measured = Tsx.packages.map((name) => `packages/${name}`)

/**
 * The commit of the code measured, and whether the packages it runs had uncommitted
 * changes (the figures then belong to the working tree, not to the commit).
 *
 * @since 0.0.0
 * @category info
 */
export const revision = (): string => {
  try {
    const git = (...args: ReadonlyArray<string>) =>
      execFileSync("git", ["-C", repositoryRoot, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .trim()
    const head = git("rev-parse", "--short", "HEAD")
    const dirty = git("status", "--porcelain", "--", ...measured)
      .split("\n")
      .filter((line) => line.trim() !== "").length
    return dirty === 0 ? head : `${head} + uncommitted changes in ${dirty} file(s) of ${measured.join(", ")}`
  } catch {
    return "unknown (not a git checkout)"
  }
}

/**
 * The lines printed above the table.
 *
 * @since 0.0.0
 * @category info
 */
export const describe = (): ReadonlyArray<string> => {
  const cpus = Os.cpus()
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${
      Math.round(Os.totalmem() / 2 ** 30)
    } GiB, ${Os.type()} ${Os.release()} ${Os.arch()}`,
    `node: ${process.version}`,
    `code measured: ${revision()}, ${
      Tsx.code() === "built" ? "built ESM (packages/*/build/esm)" : "TypeScript source through tsx"
    }`,
    `versions: ${versions().map(([name, version]) => `${name} ${version}`).join(", ")}`
  ]
}
