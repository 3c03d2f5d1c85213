/* global console, process */
// Lists the tests of both lines (packages/*/test of the Effect 3 line, v4/packages/*/test of
// the Effect 4 line) and compares them by name, for v4/TEST-PARITY.md.
//
//   node v4/scripts/test-parity.mjs            per package: files, counts, names missing on one side
//   node v4/scripts/test-parity.mjs --names    also every test's name
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
    for (const t of missing) console.log(`    v3 only: ${t.name}${t.loop ? " [loop]" : ""}`)
    for (const t of extra) console.log(`    v4 only: ${t.name}${t.loop ? " [loop]" : ""}`)
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
