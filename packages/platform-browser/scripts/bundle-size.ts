/**
 * What the Lucca client costs in a worker bundle: the minified and gzipped size of a
 * worker that serves `LuccaWorker` with a `BrowserLucca` client, and of the page that talks
 * to it through `LuccaWorkerClient`, next to a baseline of
 * `effect` + `FetchHttpClient` + `Schema` doing one request, and a second baseline that
 * adds `@effect/platform`'s serialized worker runner (the protocol's own cost). Every
 * bundle is built the same way in the same run: esbuild, minify, tree shaking,
 * `platform: "browser"`, `format: "esm"`.
 *
 * Run with `pnpm --filter @effect-lucca/platform-browser bundle-size`.
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Zlib from "node:zlib"

const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** The target: the client adds at most this many gzipped bytes over the baseline. */
const targetBytes = 10 * 1000

const entries = {
  baseline: `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String, firstName: Schema.String })) })

HttpClient.get("https://example.ilucca.net/lucca-api/employees").pipe(
  Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)),
  Effect.provide(FetchHttpClient.layer),
  Effect.runFork
)
`,
  runner: `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as BrowserRuntime from "@effect/platform-browser/BrowserRuntime"
import * as BrowserWorkerRunner from "@effect/platform-browser/BrowserWorkerRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

class Get extends Schema.TaggedRequest<Get>()("Get", {
  failure: Schema.String,
  success: Schema.Unknown,
  payload: { path: Schema.String }
}) {}

WorkerRunner.layerSerialized(Get, {
  Get: ({ path }) =>
    HttpClient.get(new URL(path, "https://example.ilucca.net")).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Unknown)),
      Effect.mapError(String),
      Effect.provide(FetchHttpClient.layer)
    )
}).pipe(Layer.provide(BrowserWorkerRunner.layer), BrowserWorkerRunner.launch, BrowserRuntime.runMain)
`,
  client: `
import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
import * as BrowserRuntime from "@effect/platform-browser/BrowserRuntime"
import * as BrowserWorkerRunner from "@effect/platform-browser/BrowserWorkerRunner"
import * as Redacted from "effect/Redacted"

LuccaWorker.layerBrowserRunner(BrowserLucca.layer({
  clientId: "client-id",
  clientSecret: Redacted.make("client-secret"),
  scopes: ["employees.readonly"],
  accountUrl: "https://example.ilucca.net"
})).pipe(BrowserWorkerRunner.launch, BrowserRuntime.runMain)
`,
  // the page side of the worker design, as the README's page: it holds no client of its own
  page: `
import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
import * as BrowserRuntime from "@effect/platform-browser/BrowserRuntime"
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
  BrowserRuntime.runMain
)
`
}

interface Size {
  readonly minified: number
  readonly gzipped: number
}

const measure = async (source: string): Promise<Size> => {
  const result = await esbuild.build({
    stdin: { contents: source, loader: "ts", resolveDir: packageDir, sourcefile: "entry.ts" },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    logLevel: "silent"
  })
  const code = result.outputFiles[0].contents
  return { minified: code.byteLength, gzipped: Zlib.gzipSync(code, { level: 9 }).byteLength }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`
const delta = (bytes: number) => `${bytes >= 0 ? "+" : "-"}${kB(Math.abs(bytes))}`

const main = async () => {
  const [baseline, runner, client, page] = await Promise.all([
    measure(entries.baseline),
    measure(entries.runner),
    measure(entries.client),
    measure(entries.page)
  ])
  const rows: Array<[string, string, string]> = [
    ["bundle", "minified", "gzipped"],
    ["baseline: effect + FetchHttpClient + Schema, one request", kB(baseline.minified), kB(baseline.gzipped)],
    ["baseline + serialized WorkerRunner", kB(runner.minified), kB(runner.gzipped)],
    ["client: LuccaWorker runner + BrowserLucca layer", kB(client.minified), kB(client.gzipped)],
    ["client - baseline", delta(client.minified - baseline.minified), delta(client.gzipped - baseline.gzipped)],
    [
      "client - (baseline + WorkerRunner)",
      delta(client.minified - runner.minified),
      delta(client.gzipped - runner.gzipped)
    ],
    ["page: LuccaWorkerClient.paginate + Schema, worker layer", kB(page.minified), kB(page.gzipped)],
    ["page - baseline", delta(page.minified - baseline.minified), delta(page.gzipped - baseline.gzipped)]
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  for (const [name, minified, gzipped] of rows) {
    console.log(`${name.padEnd(width)}  ${minified.padStart(10)}  ${gzipped.padStart(10)}`)
  }
  const added = client.gzipped - baseline.gzipped
  console.log(
    `target: the client adds at most ${kB(targetBytes)} gzipped over the baseline: ${
      added <= targetBytes ? "met" : "MISSED"
    } (${delta(added)}; 1 kB = 1000 bytes)`
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
