/**
 * Writes the files generated from Lucca's OpenAPI description for the Effect 4 line
 * (`v4/packages/core`): `src/internal/operationScopes.ts` (plain data, the same table as
 * the Effect 3 line's) and `src/LuccaResources.ts` (Effect 4 `Schema`s). The Effect 3 line
 * keeps its own `packages/core/scripts/generate.ts` for now; `description.ts` walks the
 * description the same way, which `test/Generated.test.ts` checks.
 *
 * Run with `pnpm generate` at the repository root (Node 20 is enough: nothing of Effect
 * is loaded).
 */
import { ESLint } from "eslint"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Description from "./description.js"

/** The generated files of the Effect 4 line, by URL. */
export const outputs = {
  operationScopes: new URL("../../v4/packages/core/src/internal/operationScopes.ts", import.meta.url),
  resources: new URL("../../v4/packages/core/src/LuccaResources.ts", import.meta.url)
} as const

/** Formats a file with the repository's lint rules, as if it lived at `url`. */
export const format = async (text: string, url: URL): Promise<string> => {
  const eslint = new ESLint({ fix: true, cwd: fileURLToPath(new URL("../..", import.meta.url)) })
  const [result] = await eslint.lintText(text, { filePath: fileURLToPath(url) })
  return result.output ?? text
}

/** The files of the Effect 4 line as they are committed: rendered, then formatted. */
export const generate = async (
  document: unknown = Description.readDescription()
): Promise<Record<keyof typeof outputs, string>> => ({
  operationScopes: await format(
    Description.renderOperationScopes(document, Description.effect4),
    outputs.operationScopes
  ),
  resources: await format(Description.renderResources(document, Description.effect4), outputs.resources)
})

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await generate()
  for (const name of Object.keys(outputs) as Array<keyof typeof outputs>) {
    Fs.writeFileSync(outputs[name], files[name])
    console.log(`wrote ${fileURLToPath(outputs[name])}`)
  }
}
