/* global console, process */
// Lists the tests of both lines (packages/*/test and examples/test of the Effect 3 line,
// v4/packages/*/test of the Effect 4 line) and compares them by name, for v4/TEST-PARITY.md.
//
//   node v4/scripts/test-parity.mjs            per package: files, counts, v3 tests without a v4 test
//   node v4/scripts/test-parity.mjs --names    also every test's name
//   node v4/scripts/test-parity.mjs --check    exits 1 when a v3 test has no v4 test of the same name,
//                                              no counterpart below, and no reason below
//
// A test is a call of `it`, `it.effect`, `it.scoped`, `it.live`, `it.scopedLive`,
// `it.effect.prop` or `test` whose first argument is a string; its name is the path of its
// `describe` / `it.layer` blocks and its own. Template literals keep `${...}` as written.
// A test declared in a loop counts once (marked `[loop]`): names are compared as declared.
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")
// [row, the Effect 3 line's test folder, the Effect 4 line's]; the examples' tests are
// ported into platform-node's (the Effect 4 line has no examples package)
const rows = [
  ...["core", "platform-node", "testing", "redis", "cli", "platform-browser"].map((pkg) => [
    pkg,
    `packages/${pkg}/test`,
    `v4/packages/${pkg}/test`
  ]),
  ["examples", "examples/test", undefined]
]
const showNames = process.argv.includes("--names")
const check = process.argv.includes("--check")

const chromium = "in Chromium, a page and a dedicated Worker > "
const chromium4 = "in Chromium, a page and a Worker over effect/rpc (Effect 4) > "
const settings = "configuration > each setting is one schema, for options and configuration alike > "
const functions = "configuration > functions and schedules are taken out before decoding, checked, and put back > "
const schemas4 = "configuration > each option is one Schema (issue 20 point 4) > "

/** v3 tests ported under another name: the v4 name, checked to exist. */
const counterparts = {
  "ClientCredentials > decodes the wire schema into a Redacted token":
    "ClientCredentials > decodes the wire schema into a Redacted token (Schema.RedactedFromValue: Schema.Redacted would refuse the string)",
  [`${settings}the public schemas decode what the options take, and say what is wrong`]:
    `${schemas4}the public schemas decode what the options take, and say what is wrong`,
  [`${functions}\${name}: a ConfigError naming \${option}`]: `${schemas4}\${name}: a ConfigError naming \${option}`,
  [`${functions}TokenProvider.cached checks its backoff too`]: `${schemas4}TokenProvider.cached checks its backoff too`,
  "pacing: one budget per account in the process > a client given a RateBudget of its own draws on it instead of the process budget":
    "pacing: one budget per account in the process > a client given a RateLimiter of its own draws on it instead of the process budget",
  "LuccaRetry > defaultBackoff: from 250 ms, doubling, each delay capped at 5 s, jittered":
    "LuccaRetry.defaultBackoff > from 250 ms, doubling, each delay capped at 5 s, jittered",
  "LuccaClient.fromHttpClient > a refused account origin fails the helpers with a RequestError that says why":
    "LuccaClient.fromHttpClient > a refused account origin fails the helpers with an InvalidUrlError that says why",
  "FakeLuccaClient > fails requests to any other host with a Transport RequestError naming the host":
    "FakeLuccaClient > fails requests to any other host with a TransportError naming the host",
  "LuccaRedis > Redis unreachable: the store answers empty and unavailable, the limiter paces in process":
    "LuccaRedis without a Redis server > Redis unreachable: the store answers empty and unavailable, the limiter paces in process",
  "finding 5: every encoding of the secret and every token held is scrubbed > a token of one's own that is not well-formed text is redacted as written, never a defect":
    "TokenProvider.makeStatic > a token that is not well-formed text is redacted as written, never a defect",
  "LuccaRedis > bad options are a ConfigError naming the option":
    "LuccaRedis without a Redis server > bad options are a ConfigError naming the option",
  ...Object.fromEntries(
    [
      "runs Debian's Chromium headless with the requested flags and a fresh profile",
      "the worker gets a token and pages through the employees",
      "a JSON POST from the page is sent by the worker (with its CORS preflight)",
      "a token revoked mid-test is recovered with one retry",
      "a missing scope arrives on the page as a typed Forbidden",
      "the page never receives the token nor the secret",
      "two tabs on one SharedWorker share its client and its token",
      "a worker that cannot build its client: the page's catchTag(\"SetupError\") gets the ConfigError",
      "the main-thread guard refuses a client secret on the page",
      "the main-thread guard accepts the secret with dangerouslyAllowBrowser: true",
      "a token request is never redirected: the secret is not re-posted to another origin"
    ].map((name) => [`${chromium}${name}`, `${chromium4}${name}`])
  ),
  "BrowserLucca > on a main thread, layer, layerConfig and layerTokenProvider refuse a secret":
    "BrowserLucca > on a main thread, layer, layerConfig and layerTokenProvider refuse a secret, before reading a setting",
  "scripts/bundle-size.ts > prints the minified and gzipped sizes of the baseline and of the client worker":
    "scripts/bundle-size.ts > prints the minified and gzipped sizes of the baselines, the client worker and the page"
}

/** v3 tests without a v4 test in v4/packages: where they are, or why not. */
const reasons = {
  "examples > pnpm demo runs every example and prints the summary":
    "not ported: `pnpm demo` is the runner of the examples package, which the Effect 4 line does not have (its examples run as test fixtures)",
  "packages/core/README.md > the LuccaApi example runs as written against the emulator":
    "not ported: the block is Effect 3 code (Chunk.unsafeHead) in the Effect 3 core's README; the Effect 4 core has no README of its own yet"
}

const testFiles = (dir) =>
  Fs.existsSync(dir)
    ? Fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".test.ts")).sort()
    : []

const calleeName = (expr) => {
  // it.effect, it.effect.prop, describe.skipIf(x), it.layer(L, options)
  if (ts.isIdentifier(expr)) return expr.text
  if (ts.isPropertyAccessExpression(expr)) {
    const left = calleeName(expr.expression)
    return left === undefined ? undefined : `${left}.${expr.name.text}`
  }
  if (ts.isCallExpression(expr)) {
    const left = calleeName(expr.expression)
    return left === undefined ? undefined : `${left}()`
  }
  return undefined
}

const tests = new Set(["it", "it.effect", "it.scoped", "it.live", "it.scopedLive", "it.effect.prop", "test", "it.prop"])
const blocks = new Set(["describe", "describe.skipIf()", "describe.runIf()", "it.layer()"])

const textOf = (node, source) =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
    ? node.text
    : ts.isTemplateExpression(node)
    ? node.getText(source).slice(1, -1)
    : undefined

const extract = (file) => {
  const source = ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const found = []
  const visit = (node, path, inLoop) => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression)
      const first = node.arguments[0]
      const title = first === undefined ? undefined : textOf(first, source)
      if (name !== undefined && tests.has(name) && title !== undefined) {
        found.push({ name: [...path, title].join(" > "), loop: inLoop })
        return
      }
      if (name !== undefined && blocks.has(name)) {
        // it.layer(L)((it) => ...) has no title of its own
        const nested = name === "it.layer()" ? path : title === undefined ? path : [...path, title]
        node.arguments.forEach((arg) => visit(arg, nested, inLoop))
        return
      }
    }
    const loop = inLoop || ts.isForOfStatement(node) || ts.isForStatement(node) || ts.isForInStatement(node)
    ts.forEachChild(node, (child) => visit(child, path, loop))
  }
  visit(source, [], false)
  return found
}

const lineOf = (folder) => {
  if (folder === undefined) return new Map()
  const dir = Path.join(root, folder)
  return new Map(testFiles(dir).map((f) => [f, extract(Path.join(dir, f))]))
}
const lines = rows.map(([name, v3, v4]) => [name, lineOf(v3), lineOf(v4)])
const namesOf = (line) => new Set([...line.values()].flatMap((ts) => ts.map((t) => t.name)))
// a test moved to another package still counts as ported
const allV3 = new Set(lines.flatMap(([, v3]) => [...namesOf(v3)]))
const allV4 = new Set(lines.flatMap(([, , v4]) => [...namesOf(v4)]))

const totals = []
const unaccounted = []
for (const [pkg, v3, v4] of lines) {
  const count = (line) => [...line.values()].reduce((n, ts) => n + ts.length, 0)
  totals.push([pkg, v3.size, count(v3), v4.size, count(v4)])
  console.log(`\n## ${pkg}: v3 ${count(v3)} tests in ${v3.size} files, v4 ${count(v4)} tests in ${v4.size} files`)
  for (const file of new Set([...v3.keys(), ...v4.keys()])) {
    const a = v3.get(file) ?? []
    const b = v4.get(file) ?? []
    const missing = a.filter((t) => !allV4.has(t.name))
    const extra = b.filter((t) => !allV3.has(t.name))
    console.log(
      `- ${file}: v3 ${v3.has(file) ? a.length : "-"}, v4 ${v4.has(file) ? b.length : "-"}` +
        `, v3 names not in v4 ${missing.length}, v4 names not in v3 ${extra.length}`
    )
    for (const t of missing) {
      const renamed = counterparts[t.name]
      const why = renamed !== undefined && allV4.has(renamed) ? `as "${renamed}"` : reasons[t.name]
      if (why === undefined) unaccounted.push(`${pkg}/${file}: ${t.name}`)
      console.log(`    v3 only: ${t.name}${t.loop ? " [loop]" : ""}\n      ${why ?? "UNACCOUNTED"}`)
    }
    if (showNames) { for (const t of extra) console.log(`    v4 only: ${t.name}${t.loop ? " [loop]" : ""}`) }
    if (showNames) {
      for (const t of a) console.log(`    v3: ${t.name}${t.loop ? " [loop]" : ""}`)
      for (const t of b) console.log(`    v4: ${t.name}${t.loop ? " [loop]" : ""}`)
    }
  }
}
console.log("\n| package | v3 files | v3 tests | v4 files | v4 tests |\n|---|---:|---:|---:|---:|")
for (const [pkg, f3, t3, f4, t4] of totals) console.log(`| ${pkg} | ${f3} | ${t3} | ${f4} | ${t4} |`)
const sum = (i) => totals.reduce((n, row) => n + row[i], 0)
console.log(`| total | ${sum(1)} | ${sum(2)} | ${sum(3)} | ${sum(4)} |`)
if (unaccounted.length > 0) {
  console.log(`\n${unaccounted.length} v3 tests with no v4 test, counterpart or reason:\n${unaccounted.join("\n")}`)
  if (check) process.exit(1)
}
