// Module resolution hooks (`module.register`) for the measuring processes: an import of
// one of this repository's packages, `@effect-lucca/<name>` or `@effect-lucca/<name>/<Module>`,
// loads the ESM that `tsc -b tsconfig.build.json` emitted into `packages/<name>/build/esm`,
// the code npm users run, instead of the TypeScript source the workspace points at.
// Plain JavaScript: hooks run on a thread of their own, where tsx's loader is not set up.
import process from "node:process"
import { URL } from "node:url"

const packages = new URL("../../", import.meta.url)
// the packages the bench built (`Tsx.packages`, passed down by `Tsx.useCode`)
const built = new Set((process.env.EFFECT_LUCCA_BENCH_PACKAGES ?? "").split(","))

export const resolve = (specifier, context, nextResolve) => {
  const match = /^@effect-lucca\/([a-z-]+)(?:\/([A-Za-z]+))?$/.exec(specifier)
  if (match === null || !built.has(match[1])) return nextResolve(specifier, context)
  return {
    url: new URL(`${match[1]}/build/esm/${match[2] ?? "index"}.js`, packages).href,
    format: "module",
    shortCircuit: true
  }
}
