// The install lines of every README, run as written, one line of packages at a time.
//
//   node scripts/consumer/install-lines.mjs <tarball dir> <work dir> [--line 3|4]
//
// `--line 3` (the default; scripts/consumer-test.sh) runs the Effect 3 line's blocks with its
// tarballs; `--line 4` (`node scripts/v4.mjs consumer`, under Node 22) the Effect 4 line's
// with its tarballs. A block belongs to the Effect 4 line when it installs `effect` 4 or one
// of our packages by the Effect 4 line's dist-tag (`@effect-lucca/core@next`).
//
// Every ```sh block of README.md, packages/*/README.md, examples/README.md, v4/README.md and
// v4/packages/*/README.md that holds an `npm install` line (not `--global`) is run in an
// empty folder of its own, line by line: `npm install` with our `@effect-lucca/*` names
// replaced by the packed tarballs and every other argument exactly as written (the rest comes
// from the registry), `npx <command>` of an installed command with `--no-install`. A name's
// specifier must be what the registry would resolve to that tarball: no specifier or
// `@latest` for a tarball without a `publishConfig.tag`, `@<tag>` for one published under
// that tag (`@next`), or its exact version; anything else fails, naming the line. Then the
// line's program runs with plain `node`: scripts/consumer/program.mjs (Effect 3) or
// scripts/consumer-v4/program.mjs (Effect 4, after `npm ls --all` has found every peer
// satisfied). It checks the Effect major that was installed, imports every `@effect-lucca/*`
// package there, lists the employees of the emulator the LUCCA_* variables point at with
// whichever client the line installed (NodeLucca, BrowserLucca over fetch, or the core over
// a fetch client), and drives the installed in-memory emulator of `@effect-lucca/testing`.
//
// The installs share npm's cache (one cache for the machine; --prefer-offline reuses what an
// earlier line of the run fetched) and run two at a time; a block that installs the same
// packages as another (the root README repeats the platform packages' lines, in another
// order) is run once and reported with it.
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")
const [tarballDir, workDir, ...flags] = process.argv.slice(2)
const effectLine = flags[0] === "--line" ? flags[1] : flags.length === 0 ? "3" : undefined
if (tarballDir === undefined || workDir === undefined || (effectLine !== "3" && effectLine !== "4")) {
  console.error("usage: node scripts/consumer/install-lines.mjs <tarball dir> <work dir> [--line 3|4]")
  process.exit(2)
}
for (const name of ["LUCCA_TOKEN_URL", "LUCCA_ACCOUNT_URL", "LUCCA_CLIENT_ID", "LUCCA_CLIENT_SECRET", "LUCCA_SCOPES"]) {
  if (!process.env[name]) {
    console.error(`install-lines: ${name} is not set (the emulator's settings are expected)`)
    process.exit(2)
  }
}

/** Each tarball by the package name its manifest holds, with its version and dist-tag. */
const tarballs = new Map(
  Fs.readdirSync(tarballDir)
    .filter((file) => /^effect-lucca-.*\.tgz$/.test(file))
    .map((file) => {
      const path = Path.resolve(tarballDir, file)
      const manifest = JSON.parse(
        ChildProcess.execFileSync("tar", ["-xzOf", path, "package/package.json"], { encoding: "utf8" })
      )
      return [manifest.name, { path, version: manifest.version, tag: manifest.publishConfig?.tag ?? "latest" }]
    })
)

const readmes = [
  "README.md",
  ...Fs.readdirSync(Path.join(root, "packages")).sort().map((dir) => `packages/${dir}/README.md`),
  "examples/README.md",
  "v4/README.md",
  ...Fs.readdirSync(Path.join(root, "v4", "packages")).sort().map((dir) => `v4/packages/${dir}/README.md`)
].filter((file) => Fs.existsSync(Path.join(root, file)))

/** The shell lines of every ```sh block, without comments and blank lines. */
const shBlocks = (markdown) =>
  [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) =>
    match[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) =>
      line !== "" && !line.startsWith("#")
    )
  )

const isAppInstall = (line) => /^npm (install|i) /.test(line) && !/\s(--global|-g)(\s|$)/.test(line)

/** A block of the Effect 4 line: it installs `effect` 4, or our packages by the `next` tag. */
const isEffect4 = (lines) =>
  lines.some((line) =>
    line.split(/\s+/).some((word) => /^effect@[~^=v]?4(\.|$)/.test(word) || /^@effect-lucca\/[a-z-]+@next$/.test(word))
  )

const blocks = readmes.flatMap((file) =>
  shBlocks(Fs.readFileSync(Path.join(root, file), "utf8"))
    .filter((lines) => lines.some(isAppInstall))
    .map((lines, i) => ({ file, n: i + 1, lines }))
).filter((block) => isEffect4(block.lines) === (effectLine === "4"))
if (!blocks.some((block) => block.file === "README.md")) {
  console.error(`install-lines: README.md has no install line for the Effect ${effectLine} line`)
  process.exit(1)
}

/** One line as the command to run: our names become tarballs, everything else is kept. */
const commandOf = (line) => {
  const words = line.split(/\s+/)
  if (words[0] === "npm") {
    const args = words.slice(1).map((word) => {
      const ours = /^(@effect-lucca\/[a-z-]+)(?:@(.*))?$/.exec(word)
      if (ours === null) return word
      const [, name, specifier = "latest"] = ours
      const tarball = tarballs.get(name)
      if (tarball === undefined) throw new Error(`${line}: no tarball for ${name}`)
      // what the registry would answer: the dist-tag this tarball is published under, or its version
      if (specifier !== tarball.tag && specifier !== tarball.version) {
        throw new Error(
          `${line}: ${word} would not resolve to ${name}@${tarball.version}, published under the tag ${tarball.tag}`
        )
      }
      return tarball.path
    })
    return ["npm", [...args, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]]
  }
  if (words[0] === "npx" && !words[1].startsWith("@")) return ["npx", ["--no-install", ...words.slice(1)]]
  throw new Error(`${line}: not a line this test knows how to run (npm install, or npx of an installed command)`)
}

const run = (command, args, cwd) =>
  new Promise((resolve) => {
    const child = ChildProcess.spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("close", (code) => resolve({ code, output }))
  })

const program = Fs.readFileSync(
  Path.join(root, effectLine === "4" ? "scripts/consumer-v4/program.mjs" : "scripts/consumer/program.mjs"),
  "utf8"
)

const runBlock = async (block, index) => {
  const started = Date.now()
  const dir = Path.join(workDir, `line-${index + 1}`)
  Fs.mkdirSync(dir, { recursive: true })
  Fs.writeFileSync(Path.join(dir, "package.json"), JSON.stringify({ name: `line-${index + 1}`, private: true }))
  const report = [`${block.file} (block ${block.n}):`]
  for (const line of block.lines) {
    let command, args
    try {
      ;[command, args] = commandOf(line)
    } catch (error) {
      return { ok: false, report: [...report, `  ${error.message}`] }
    }
    const { code, output } = await run(command, args, dir)
    report.push(`  $ ${line}`)
    if (code !== 0) return { ok: false, report: [...report, output.trim(), `  exit ${code}`] }
  }
  if (effectLine === "4") {
    // no peer left missing or out of range (npm install already refuses a conflict: ERESOLVE)
    const { code, output } = await run("npm", ["ls", "--all"], dir)
    if (code !== 0) return { ok: false, report: [...report, output.trim(), `  npm ls --all: exit ${code}`] }
    report.push("  npm ls --all: every dependency and peer satisfied")
  }
  Fs.writeFileSync(Path.join(dir, "program.mjs"), program)
  const { code, output } = await run(process.execPath, ["program.mjs"], dir)
  report.push(...output.trim().split("\n").map((line) => `  ${line}`))
  if (code !== 0) return { ok: false, report: [...report, `  node program.mjs: exit ${code}`] }
  report.push(`  ok (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return { ok: true, report }
}

/** What a block installs and runs, whatever the order of the names on its lines. */
const keyOf = (block) => block.lines.map((line) => line.split(/\s+/).sort().join(" ")).join("\n")
const distinct = []
const sameAs = new Map()
for (const block of blocks) {
  const first = distinct.find((other) => keyOf(other) === keyOf(block))
  if (first === undefined) distinct.push(block)
  else sameAs.set(block, first)
}

// two at a time: npm mostly waits on the network and the disk
const results = new Array(distinct.length)
let next = 0
await Promise.all(Array.from({ length: 2 }, async () => {
  while (next < distinct.length) {
    const index = next++
    results[index] = await runBlock(distinct[index], index)
  }
}))
for (const [index, result] of results.entries()) {
  console.log(result.report.join("\n"))
  for (const [block, first] of sameAs) {
    if (first === distinct[index]) {
      console.log(`${block.file} (block ${block.n}): the same packages as above, ${result.ok ? "ok" : "failed"}`)
    }
  }
}
const failed = results.filter((result) => !result.ok).length
console.log(
  `Effect ${effectLine} line: ${
    distinct.length - failed
  } of ${distinct.length} distinct installs (${blocks.length} blocks of install lines) installed and ran`
)
process.exitCode = failed === 0 ? 0 : 1
