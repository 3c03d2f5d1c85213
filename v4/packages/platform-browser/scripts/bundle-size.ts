/**
 * What the Lucca client costs in a worker bundle on Effect 4: the minified and gzipped
 * size of a worker that serves `LuccaWorker` with a `BrowserLucca` client (the README's
 * worker entry, which imports modules by path), and of the page that talks to it through
 * `LuccaWorkerClient`, next to a baseline of `effect` + `FetchHttpClient` + `Schema` doing
 * one request, and a second baseline that adds Effect's RPC worker runner
 * (`RpcServer.layerProtocolWorkerRunner` with a one-request `RpcGroup`, over this
 * package's browser runner platform, as Effect 4.1 ships none): the protocol's own cost.
 * Every bundle is built the same way in the same run: esbuild, minify, tree shaking,
 * `platform: "browser"`, `format: "esm"`. This repository's packages are bundled from
 * their sources, as their `tsc` build publishes them (no pure-call annotation pass on
 * this line).
 *
 * With `--breakdown`, also what the client adds over the baseline + RPC runner, by
 * package (Effect 4's `effect` by folder: `effect/rpc`, `effect/http`, ...) and module by
 * module: the gzipped bytes that leaving a module out saves (its marginal cost in the
 * whole bundle; the marginal costs of modules in both bundles are differences, and carry
 * a few dozen bytes of gzip noise each).
 *
 * Run with `node scripts/v4.mjs exec pnpm --filter @effect-lucca/platform-browser bundle-size [--breakdown]`.
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Zlib from "node:zlib"

const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** The Effect 3 line's figure for the same target: the client adds at most this many gzipped bytes over the baseline + runner. */
const targetBytes = 12 * 1000

const entries = {
  baseline: `
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schema from "effect/Schema"

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String, firstName: Schema.String })) })

HttpClient.get("https://example.ilucca.net/lucca-api/employees").pipe(
  Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)),
  Effect.provide(FetchHttpClient.layer),
  Effect.runFork
)
`,
  runner: `
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcGroup from "effect/rpc/RpcGroup"
import * as RpcServer from "effect/rpc/RpcServer"
import * as Schema from "effect/Schema"
import * as Runner from "./src/internal/workerRunner.ts"

class Rpcs extends RpcGroup.make(
  Rpc.make("Get", { payload: { path: Schema.String }, success: Schema.Unknown, error: Schema.String })
) {}

const handlers = Rpcs.toLayer({
  Get: ({ path }) =>
    HttpClient.get(new URL(path, "https://example.ilucca.net")).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Unknown)),
      Effect.mapError(String),
      Effect.provide(FetchHttpClient.layer)
    )
})

RpcServer.layer(Rpcs).pipe(
  Layer.provide(handlers),
  Layer.provide(RpcServer.layerProtocolWorkerRunner),
  Layer.provide(Runner.layer()),
  Layer.launch,
  Effect.runFork
)
`,
  // the README's worker entry
  client: `
import * as BrowserLucca from "@effect-lucca/platform-browser/BrowserLucca"
import * as LuccaWorker from "@effect-lucca/platform-browser/LuccaWorker"
import * as Redacted from "effect/Redacted"

LuccaWorker.launchBrowser(BrowserLucca.layer({
  clientId: "client-id",
  clientSecret: Redacted.make("client-secret"),
  scopes: ["employees.readonly"],
  accountUrl: "https://example.ilucca.net"
}))
`,
  // the same from the package's index: a bundler keeps every export of a namespace re-exported
  // there (\`export * as BrowserLucca\`), used or not
  clientIndex: `
import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
import * as Redacted from "effect/Redacted"

LuccaWorker.launchBrowser(BrowserLucca.layer({
  clientId: "client-id",
  clientSecret: Redacted.make("client-secret"),
  scopes: ["employees.readonly"],
  accountUrl: "https://example.ilucca.net"
}))
`,
  // the page side of the worker design, as the README's page: it holds no client of its own
  page: `
import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Employee = Schema.Struct({ id: Schema.String, givenName: Schema.String })

LuccaWorkerClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
  Stream.runForEach((employee) => Effect.log(employee.givenName)),
  Effect.catchTag("Forbidden", (error) => Effect.logError(error.message)),
  Effect.provide(LuccaWorkerClient.layerBrowser(() =>
    new Worker(new URL("./lucca.worker.js", import.meta.url), { type: "module" })
  )),
  Effect.runFork
)
`
}

interface Size {
  readonly minified: number
  readonly gzipped: number
}

const gzip = (code: Uint8Array | string): number => Zlib.gzipSync(code, { level: 9 }).byteLength

const bundle = async (source: string, options: { readonly minifyWhitespace: boolean }): Promise<Uint8Array> => {
  const result = await esbuild.build({
    stdin: { contents: source, loader: "ts", resolveDir: packageDir, sourcefile: "entry.ts" },
    bundle: true,
    write: false,
    minifyIdentifiers: true,
    minifySyntax: true,
    minifyWhitespace: options.minifyWhitespace,
    treeShaking: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    logLevel: "silent"
  })
  return result.outputFiles[0].contents
}

const measure = async (source: string): Promise<Size> => {
  const code = await bundle(source, { minifyWhitespace: true })
  return { minified: code.byteLength, gzipped: gzip(code) }
}

/**
 * The bundle cut at esbuild's `// path` lines (kept when whitespace is not minified), each
 * part then minified on its own: the modules' code as the minified bundle holds it.
 */
const modulesOf = async (
  source: string
): Promise<ReadonlyArray<{ readonly module: string; readonly code: string }>> => {
  const text = new TextDecoder().decode(await bundle(source, { minifyWhitespace: false }))
  const parts: Array<{ module: string; lines: Array<string> }> = [{ module: "(prelude)", lines: [] }]
  for (const line of text.split("\n")) {
    const start = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)
    if (start !== null) parts.push({ module: start[1], lines: [] })
    else parts[parts.length - 1].lines.push(line)
  }
  return Promise.all(parts.map(async ({ lines, module }) => ({
    module: module.replace(/^.*node_modules\//, "").replace(/^\.\.\/(?=[a-z-]+\/src\/)/, "")
      .replace(/^src\//, "platform-browser/src/"),
    code: (await esbuild.transform(lines.join("\n"), { minifyWhitespace: true, loader: "js", format: "esm" })).code
  })))
}

/** Each module's gzipped bytes that leaving it out of the bundle saves. */
const marginalCosts = (modules: ReadonlyArray<{ readonly module: string; readonly code: string }>) => {
  const total = gzip(modules.map((part) => part.code).join(""))
  const costs = new Map<string, { readonly minified: number; readonly gzipped: number }>()
  for (const name of new Set(modules.map((part) => part.module))) {
    const rest = modules.filter((part) => part.module !== name).map((part) => part.code).join("")
    const minified = modules.filter((part) => part.module === name).reduce((sum, part) => sum + part.code.length, 0)
    costs.set(name, { minified, gzipped: total - gzip(rest) })
  }
  return costs
}

/** `@effect-lucca/core`, ..., and Effect 4's single package by folder (`effect/rpc`, `effect/http`, ...). */
const groupOf = (module: string): string => {
  if (/^[a-z-]+\/src\//.test(module)) return `@effect-lucca/${module.split("/")[0]}`
  const effect = /^effect\/dist\/(?:([a-z]+)\/)?/.exec(module)
  if (effect !== null) return effect[1] === undefined ? "effect (root modules)" : `effect/${effect[1]}`
  return module.replace(/\/dist\/.*$/, "")
}

const breakdown = async (client: string, runner: string): Promise<void> => {
  const [withClient, without] = await Promise.all([modulesOf(client), modulesOf(runner)])
  const [costs, baseCosts] = [marginalCosts(withClient), marginalCosts(without)]
  const rows: Array<{ readonly module: string; readonly minified: number; readonly gzipped: number }> = []
  for (const [module, cost] of costs) {
    const base = baseCosts.get(module) ?? { minified: 0, gzipped: 0 }
    rows.push({ module, minified: cost.minified - base.minified, gzipped: cost.gzipped - base.gzipped })
  }
  for (const [module, base] of baseCosts) {
    if (!costs.has(module)) rows.push({ module, minified: -base.minified, gzipped: -base.gzipped })
  }
  const groups = new Map<string, { minified: number; gzipped: number }>()
  for (const row of rows) {
    const group = groups.get(groupOf(row.module)) ?? { minified: 0, gzipped: 0 }
    group.minified += row.minified
    group.gzipped += row.gzipped
    groups.set(groupOf(row.module), group)
  }
  const print = (title: string, entries: ReadonlyArray<readonly [string, { minified: number; gzipped: number }]>) => {
    console.log(`\n${title}`)
    const width = Math.max(...entries.map(([name]) => name.length))
    for (const [name, { gzipped, minified }] of entries) {
      console.log(`${name.padEnd(width)}  ${delta(minified).padStart(10)}  ${delta(gzipped).padStart(10)}`)
    }
  }
  const byGzipped = (a: readonly [string, { gzipped: number }], b: readonly [string, { gzipped: number }]) =>
    b[1].gzipped - a[1].gzipped
  print(
    "what the client adds over the baseline + RPC worker runner, by package (minified, gzipped marginal):",
    [...groups].sort(byGzipped)
  )
  print(
    "top modules (minified, gzipped marginal):",
    rows.map((row) => [row.module, row] as const).sort(byGzipped).slice(0, 30)
  )
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`
const delta = (bytes: number) => `${bytes >= 0 ? "+" : "-"}${kB(Math.abs(bytes))}`

const main = async () => {
  const [baseline, runner, client, clientIndex, page] = await Promise.all([
    measure(entries.baseline),
    measure(entries.runner),
    measure(entries.client),
    measure(entries.clientIndex),
    measure(entries.page)
  ])
  const rows: Array<[string, string, string]> = [
    ["bundle", "minified", "gzipped"],
    ["baseline: effect + FetchHttpClient + Schema, one request", kB(baseline.minified), kB(baseline.gzipped)],
    ["baseline + RPC worker runner", kB(runner.minified), kB(runner.gzipped)],
    ["client: LuccaWorker runner + BrowserLucca layer", kB(client.minified), kB(client.gzipped)],
    ["client - baseline", delta(client.minified - baseline.minified), delta(client.gzipped - baseline.gzipped)],
    [
      "client - (baseline + RPC worker runner)",
      delta(client.minified - runner.minified),
      delta(client.gzipped - runner.gzipped)
    ],
    ["client imported from the package index", kB(clientIndex.minified), kB(clientIndex.gzipped)],
    ["page: LuccaWorkerClient.paginate + Schema, worker layer", kB(page.minified), kB(page.gzipped)],
    ["page - baseline", delta(page.minified - baseline.minified), delta(page.gzipped - baseline.gzipped)]
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  for (const [name, minified, gzipped] of rows) {
    console.log(`${name.padEnd(width)}  ${minified.padStart(10)}  ${gzipped.padStart(10)}`)
  }
  const added = client.gzipped - runner.gzipped
  console.log(
    `target (the Effect 3 line's): the client adds at most ${
      kB(targetBytes)
    } gzipped over the baseline + RPC worker runner: ${added <= targetBytes ? "met" : "MISSED"} (${
      delta(added)
    }; 1 kB = 1000 bytes)`
  )
  if (process.argv.includes("--breakdown")) await breakdown(entries.client, entries.runner)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
