// The install lines of every README, run as written (scripts/consumer-test.sh calls this).
//
//   node scripts/consumer/install-lines.mjs <tarball dir> <work dir>
//
// Every ```sh block of README.md, packages/*/README.md and examples/README.md that holds an
// `npm install` line (not `--global`) is run in an empty folder of its own, line by line:
// `npm install` with our `@effect-lucca/*` names replaced by the packed tarballs and every
// other argument exactly as written (the rest comes from the registry), `npx <command>` of an
// installed command with `--no-install`. Then `program.mjs` runs with plain `node`: it checks
// that Effect 3 was installed, imports every `@effect-lucca/*` package there, lists the
// employees of the emulator the LUCCA_* variables point at with whichever client the line
// installed (NodeLucca, BrowserLucca over fetch, or the core over FetchHttpClient), and
// drives the installed in-memory emulator of `@effect-lucca/testing`.
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
const [tarballDir, workDir] = process.argv.slice(2)
if (tarballDir === undefined || workDir === undefined) {
  console.error("usage: node scripts/consumer/install-lines.mjs <tarball dir> <work dir>")
  process.exit(2)
}
for (const name of ["LUCCA_TOKEN_URL", "LUCCA_ACCOUNT_URL", "LUCCA_CLIENT_ID", "LUCCA_CLIENT_SECRET", "LUCCA_SCOPES"]) {
  if (!process.env[name]) {
    console.error(`install-lines: ${name} is not set (the emulator's settings are expected)`)
    process.exit(2)
  }
}

const tarballs = new Map(
  Fs.readdirSync(tarballDir)
    .filter((file) => /^effect-lucca-.*\.tgz$/.test(file))
    .map((
      file
    ) => [`@effect-lucca/${/^effect-lucca-(.*)-\d+\.\d+\.\d+.*\.tgz$/.exec(file)[1]}`, Path.resolve(tarballDir, file)])
)

const readmes = [
  "README.md",
  ...Fs.readdirSync(Path.join(root, "packages")).sort().map((dir) => `packages/${dir}/README.md`),
  "examples/README.md"
].filter((file) => Fs.existsSync(Path.join(root, file)))

/** The shell lines of every ```sh block, without comments and blank lines. */
const shBlocks = (markdown) =>
  [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) =>
    match[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) =>
      line !== "" && !line.startsWith("#")
    )
  )

const isAppInstall = (line) => /^npm (install|i) /.test(line) && !/\s(--global|-g)(\s|$)/.test(line)

const blocks = readmes.flatMap((file) =>
  shBlocks(Fs.readFileSync(Path.join(root, file), "utf8"))
    .filter((lines) => lines.some(isAppInstall))
    .map((lines, i) => ({ file, n: i + 1, lines }))
)
if (!blocks.some((block) => block.file === "README.md")) {
  console.error("install-lines: README.md has no install line")
  process.exit(1)
}

/** One line as the command to run: our names become tarballs, everything else is kept. */
const commandOf = (line) => {
  const words = line.split(/\s+/)
  if (words[0] === "npm") {
    const args = words.slice(1).map((word) => {
      const ours = /^(@effect-lucca\/[a-z-]+)(@.*)?$/.exec(word)
      if (ours === null) return word
      const tarball = tarballs.get(ours[1])
      if (tarball === undefined) throw new Error(`${line}: no tarball for ${ours[1]}`)
      return tarball
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

const program = Fs.readFileSync(Path.join(root, "scripts/consumer/program.mjs"), "utf8")

const runBlock = async (block, index) => {
  const started = Date.now()
  const dir = Path.join(workDir, `line-${index + 1}`)
  Fs.mkdirSync(dir, { recursive: true })
  Fs.writeFileSync(Path.join(dir, "package.json"), JSON.stringify({ name: `line-${index + 1}`, private: true }))
  const report = [`${block.file} (block ${block.n}):`]
  for (const line of block.lines) {
    const [command, args] = commandOf(line)
    const { code, output } = await run(command, args, dir)
    report.push(`  $ ${line}`)
    if (code !== 0) return { ok: false, report: [...report, output.trim(), `  exit ${code}`] }
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
  `${
    distinct.length - failed
  } of ${distinct.length} distinct installs (${blocks.length} blocks of install lines) installed and ran`
)
process.exitCode = failed === 0 ? 0 : 1
