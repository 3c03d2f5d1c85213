/**
 * esbuild as the browser suite uses it: browser platform, ESM, one file, in memory.
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The package's root folder. */
export const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")

/** Bundles a TypeScript entry (relative to the package) for a browser. */
export const bundle = async (entry: string): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [Path.resolve(packageDir, entry)],
    absWorkingDir: packageDir,
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: false,
    sourcemap: false,
    logLevel: "silent"
  })
  return result.outputFiles[0].text
}
