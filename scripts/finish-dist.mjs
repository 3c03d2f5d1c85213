// Completes the `dist/` that `build-utils pack-v2` lays out (run from a package directory,
// after it). pack-v2 writes Effect's manifest: `exports` with `types`/`import`/`default` per
// public module, `typesVersions`, the per-module proxy folders, `dist/{esm,cjs,dts}`, `src/`.
// It leaves out what this project's manifests also need, which this script adds:
// - `engines`, `keywords`, `bugs`, `publishConfig.access` from the source manifest;
// - `bin` pointing at the compiled ES module, which keeps its `#!/usr/bin/env node` line and
//   is made executable;
// - `types` per condition: ES module declarations beside the ES modules and CommonJS ones
//   beside the CommonJS files, so TypeScript under `node16`/`nodenext` sees each format as
//   what it is (one shared `.d.ts` folder would be read as CommonJS from `import`);
// - `files`, so that the tarball holds only the manifest, README, LICENSE, code, types and
//   the sources the source maps point to.
import * as Fs from "node:fs"
import * as Path from "node:path"

const source = JSON.parse(Fs.readFileSync("package.json", "utf8"))
const manifest = JSON.parse(Fs.readFileSync("dist/package.json", "utf8"))

const fail = (message) => {
  console.error(`finish-dist (${source.name}): ${message}`)
  process.exit(1)
}

// 1. declarations beside each format
const walk = (dir) =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(Path.join(dir, entry.name)) : [Path.join(dir, entry.name)]
  )
for (const file of walk("dist/dist/dts")) {
  const relative = Path.relative("dist/dist/dts", file)
  for (const format of ["esm", "cjs"]) {
    const target = Path.join("dist/dist", format, relative)
    Fs.mkdirSync(Path.dirname(target), { recursive: true })
    const text = Fs.readFileSync(file, "utf8")
    // declaration maps name their source relative to themselves: same depth, same text
    Fs.writeFileSync(target, text)
  }
}
Fs.rmSync("dist/dist/dts", { recursive: true })
Fs.writeFileSync("dist/dist/cjs/package.json", JSON.stringify({ type: "commonjs", sideEffects: [] }, null, 2) + "\n")

const conditions = (module) => ({
  import: { types: `./dist/esm/${module}.d.ts`, default: `./dist/esm/${module}.js` },
  require: { types: `./dist/cjs/${module}.d.ts`, default: `./dist/cjs/${module}.js` }
})
const exportsMap = { "./package.json": "./package.json" }
const modules = []
for (const [key, value] of Object.entries(manifest.exports)) {
  if (typeof value === "string") continue
  const module = key === "." ? "index" : key.slice(2)
  if (!Fs.existsSync(`dist/dist/esm/${module}.js`) || !Fs.existsSync(`dist/dist/cjs/${module}.js`)) {
    fail(`no compiled module for export ${key}`)
  }
  exportsMap[key] = conditions(module)
  if (key !== ".") modules.push(module)
}
manifest.exports = exportsMap
manifest.main = "./dist/cjs/index.js"
manifest.module = "./dist/esm/index.js"
manifest.types = "./dist/cjs/index.d.ts"
// `typesVersions` serves TypeScript's old `node10` resolution, which reads no `exports`
manifest.typesVersions = { "*": Object.fromEntries(modules.map((m) => [m, [`./dist/cjs/${m}.d.ts`]])) }
for (const module of modules) {
  Fs.writeFileSync(
    `dist/${module}/package.json`,
    JSON.stringify(
      {
        main: `../dist/cjs/${module}.js`,
        module: `../dist/esm/${module}.js`,
        types: `../dist/cjs/${module}.d.ts`,
        sideEffects: []
      },
      null,
      2
    ) + "\n"
  )
}

// 2. the command
if (source.bin !== undefined) {
  manifest.bin = {}
  for (const [name, file] of Object.entries(source.bin)) {
    const compiled = file.replace(/^\.\/src\//, "./dist/esm/").replace(/\.ts$/, ".js")
    const onDisk = Path.join("dist", compiled)
    if (!Fs.existsSync(onDisk)) fail(`bin ${name}: ${onDisk} was not built`)
    if (!Fs.readFileSync(onDisk, "utf8").startsWith("#!/usr/bin/env node\n")) {
      fail(`bin ${name}: ${file} must start with #!/usr/bin/env node`)
    }
    Fs.chmodSync(onDisk, 0o755)
    manifest.bin[name] = compiled
    // a command is neither a module to import nor a CommonJS program
    const base = Path.basename(compiled, ".js")
    for (const extra of [".d.ts", ".d.ts.map", ".js", ".js.map"]) {
      Fs.rmSync(`dist/dist/cjs/${base}${extra}`, { force: true })
      if (extra.startsWith(".d.ts")) Fs.rmSync(`dist/dist/esm/${base}${extra}`, { force: true })
    }
  }
}

// 3. metadata pack-v2 does not carry over
for (const key of ["keywords", "bugs", "engines"]) {
  if (source[key] !== undefined) manifest[key] = source[key]
}
manifest.publishConfig = { ...manifest.publishConfig, access: source.publishConfig?.access ?? "public" }
manifest.files = ["dist", "src", ...modules, "!src/.index.ts"]
// the root holds no code: its `.js` files are under dist/esm (ESM) and dist/cjs (CommonJS)
manifest.type = "commonjs"

const ordered = {}
for (
  const key of [
    "name",
    "version",
    "description",
    "keywords",
    "license",
    "repository",
    "homepage",
    "bugs",
    "engines",
    "type",
    "sideEffects",
    "publishConfig",
    "bin",
    "main",
    "module",
    "types",
    "exports",
    "typesVersions",
    "files"
  ]
) {
  if (manifest[key] !== undefined) ordered[key] = manifest[key]
}
Object.assign(ordered, manifest)
Fs.writeFileSync("dist/package.json", JSON.stringify(ordered, null, 2) + "\n")
