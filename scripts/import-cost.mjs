// The cost of a cold import, measured in an app where the packages are installed from
// their tarballs (run by the consumer test, from that app's folder): wall time of
// `node --input-type=module -e 'import "..."'` as seen by the parent, and the child's maximum resident set
// size, each the median of interleaved runs, next to Node alone and `effect` alone.
//
//   node import-cost.mjs [runs]      (default 11)
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { performance } from "node:perf_hooks"

const runs = Number(process.argv[2] ?? 11)

// What a package's own code imports from other packages: importing exactly these gives the
// cost of its dependencies, so that the difference is the package's own share.
const externalImports = (name) => {
  const dir = Path.join("node_modules", name, "dist", "esm")
  const found = new Set()
  for (const file of Fs.readdirSync(dir, { recursive: true })) {
    if (!String(file).endsWith(".js")) continue
    // without comments: the JSDoc examples import modules the code does not
    const text = Fs.readFileSync(Path.join(dir, String(file)), "utf8").replace(/\/\*[\s\S]*?\*\//g, "")
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*"([^".][^"]*)"/g)) {
      if (!specifier.startsWith("@effect-lucca/") && !specifier.startsWith("node:")) found.add(specifier)
    }
  }
  return [...found].sort()
}
const coreDependencies = externalImports("@effect-lucca/core")
const nodeDependencies = [...new Set([...coreDependencies, ...externalImports("@effect-lucca/platform-node")])]

const targets = [
  ["node alone", []],
  ["effect", ["effect"]],
  ["what core imports (effect/*, @effect/*)", coreDependencies],
  ["@effect-lucca/core", ["@effect-lucca/core"]],
  ["@effect-lucca/core (require)", ["@effect-lucca/core"], "require"],
  ["@effect-lucca/core/LuccaClient", ["@effect-lucca/core/LuccaClient"]],
  ["what platform-node imports", nodeDependencies],
  ["@effect-lucca/platform-node", ["@effect-lucca/platform-node"]]
]

const measure = ([, modules, how]) => {
  const code = how === "require"
    ? `${
      modules.map((m) => `require(${JSON.stringify(m)})`).join(";")
    };process.stdout.write(String(process.resourceUsage().maxRSS))`
    : `${
      // static imports, loaded as one graph, as in a program that imports these modules
      modules.map((m) => `import ${JSON.stringify(m)}`).join(
        ";"
      )};process.stdout.write(String(process.resourceUsage().maxRSS))`
  const args = how === "require" ? ["-e", code] : ["--input-type=module", "-e", code]
  const started = performance.now()
  const child = spawnSync(process.execPath, args, { encoding: "utf8" })
  const millis = performance.now() - started
  if (child.status !== 0) throw new Error(`${modules.join(", ")}: ${child.stderr}`)
  return { millis, rssKiB: Number(child.stdout) }
}

const samples = targets.map(() => [])
// one warm-up round: the first runs pay for the disk cache
for (const target of targets) measure(target)
for (let round = 0; round < runs; round++) {
  targets.forEach((target, i) => samples[i].push(measure(target)))
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
const rows = targets.map(([name], i) => ({
  name,
  millis: median(samples[i].map((s) => s.millis)),
  mib: median(samples[i].map((s) => s.rssKiB)) / 1024
}))
// each package against what it imports: its own share
const baseOf = {
  "@effect-lucca/core": "what core imports (effect/*, @effect/*)",
  "@effect-lucca/core (require)": "what core imports (effect/*, @effect/*)",
  "@effect-lucca/core/LuccaClient": "what core imports (effect/*, @effect/*)",
  "@effect-lucca/platform-node": "what platform-node imports"
}
const width = Math.max(...rows.map((r) => r.name.length))
console.log(`cold import, median of ${runs} runs (Node ${process.versions.node})`)
console.log(`${"".padEnd(width)}  ${"wall".padStart(8)}  ${"max RSS".padStart(9)}  ${"own share".padStart(18)}`)
for (const row of rows) {
  const base = rows.find((r) => r.name === baseOf[row.name])
  const over = base === undefined
    ? ""
    : `${(row.millis - base.millis).toFixed(0).padStart(5)} ms ${(row.mib - base.mib).toFixed(1).padStart(5)} MiB`
  console.log(
    `${row.name.padEnd(width)}  ${row.millis.toFixed(0).padStart(5)} ms  ${row.mib.toFixed(1).padStart(5)} MiB  ${
      over.padStart(18)
    }`
  )
}
