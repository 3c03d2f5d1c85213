/**
 * Nothing of this package needs Node: esbuild bundles it for `platform: "browser"` and
 * the test fails on any Node built-in module or Node global.
 *
 * - This package and `@effect-lucca/core` must not name a Node global at all.
 * - Dependencies (effect) may only feature-detect one: each use must
 *   follow a `typeof` check of that global in the same expression or the next lines
 *   (`typeof process === "object" && "hrtime" in process ? process.hrtime : undefined`),
 *   which is how effect picks `process.hrtime` or `process.env` when they exist.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as esbuild from "esbuild"
import { builtinModules } from "node:module"
import * as Path from "node:path"
import { packageDir } from "./utils/esbuild.js"

const nodeGlobals = [
  "process",
  "Buffer",
  "require",
  "__dirname",
  "__filename",
  "global",
  "setImmediate",
  "clearImmediate",
  "module",
  "exports"
]

// esbuild's `define` replaces only free references (never a local of the same name), so
// each marker in the output is a use of the Node global.
const marker = (name: string) => `__NODE_GLOBAL_${name}__`
const markerPattern = /__NODE_GLOBAL_(\w+?)__/g

/** How far (in characters of unminified output) a use may follow its `typeof` check. */
const guardReach = 400

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

interface Analysis {
  /** `specifier <- importer` of every Node built-in module import. */
  readonly builtinImports: ReadonlyArray<string>
  /** Module path to the Node globals it names. */
  readonly globalsByModule: ReadonlyMap<string, ReadonlySet<string>>
  /** Modules that name a Node global other than behind `typeof`. */
  readonly unguarded: ReadonlyArray<string>
  readonly modules: number
}

const analyse = async (entry: string, options?: { readonly onlyOwnCode?: boolean }): Promise<Analysis> => {
  const builtinImports: Array<string> = []
  const result = await esbuild.build({
    entryPoints: [Path.resolve(packageDir, entry)],
    absWorkingDir: packageDir,
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    minify: false,
    metafile: true,
    logLevel: "silent",
    define: Object.fromEntries(nodeGlobals.map((name) => [name, marker(name)])),
    plugins: [{
      name: "node-builtins",
      setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => {
          if (builtins.has(args.path)) {
            builtinImports.push(`${args.path} <- ${Path.relative(packageDir, args.importer)}`)
            return { path: args.path, external: true }
          }
          // to check our own code alone, keep every package but the core out of the bundle
          if (
            options?.onlyOwnCode === true && !args.path.startsWith(".") && !args.path.startsWith("/") &&
            !args.path.startsWith("@effect-lucca/")
          ) {
            return { path: args.path, external: true }
          }
          return undefined
        })
      }
    }]
  })
  const text = result.outputFiles[0].text
  // the unminified output starts each module with a `// path/to/module.js` comment
  const globalsByModule = new Map<string, Set<string>>()
  const unguarded: Array<string> = []
  const chunks = text.split(/^\/\/ (?=\S+\.[cm]?[jt]s$)/m)
  for (const chunk of chunks) {
    const module = chunk.slice(0, chunk.indexOf("\n"))
    const names = new Set(Array.from(chunk.matchAll(markerPattern), (match) => match[1]))
    if (names.size === 0) continue
    globalsByModule.set(module, names)
    for (const name of names) {
      const guards = Array.from(chunk.matchAll(new RegExp(`typeof ${marker(name)}`, "g")), (match) => match.index)
      const uses = Array.from(chunk.matchAll(new RegExp(marker(name), "g")), (match) => match.index)
      const guarded = (at: number) => guards.some((guard) => guard <= at && at - guard <= guardReach)
      if (!uses.every(guarded)) unguarded.push(`${module}: ${name}`)
    }
  }
  return { builtinImports, globalsByModule, unguarded, modules: Object.keys(result.metafile.inputs).length }
}

const describeGlobals = (analysis: Analysis) =>
  Array.from(analysis.globalsByModule, ([module, names]) => `${module}: ${[...names].join(", ")}`).join("\n")

describe("a browser bundle", () => {
  it.live("of this package and the core names no Node built-in and no Node global", () =>
    Effect.promise(() => analyse("src/index.ts", { onlyOwnCode: true })).pipe(
      Effect.map((analysis) => {
        assert.isAbove(analysis.modules, 10, "the core is bundled in")
        assert.deepStrictEqual(analysis.builtinImports, [])
        assert.strictEqual(analysis.globalsByModule.size, 0, describeGlobals(analysis))
      })
    ))

  for (const entry of ["src/index.ts", "test/browser/worker.ts", "test/browser/page.ts"]) {
    it.live(`of ${entry} with its dependencies imports no Node built-in and only feature-detects Node globals`, () =>
      Effect.promise(() => analyse(entry)).pipe(
        Effect.map((analysis) => {
          assert.isAbove(analysis.modules, 100, "effect is bundled in")
          assert.deepStrictEqual(analysis.builtinImports, [])
          assert.deepStrictEqual(analysis.unguarded, [], describeGlobals(analysis))
          for (const module of analysis.globalsByModule.keys()) assert.notInclude(module, "packages/")
        })
      ))
  }

  it.live("the check catches a Node global and a Node built-in", () =>
    Effect.promise(() => analyse("test/bundles/usesNode.ts")).pipe(
      Effect.map((analysis) => {
        assert.deepStrictEqual(analysis.builtinImports, ["node:path <- test/bundles/usesNode.ts"])
        assert.deepStrictEqual(analysis.unguarded, ["test/bundles/usesNode.ts: Buffer"])
      })
    ))
})
