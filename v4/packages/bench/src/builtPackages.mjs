// Module resolution hook (see registerBuilt.mjs): `@effect-lucca/<name>` and
// `@effect-lucca/<name>/<Module>` load `packages/<name>/dist/<Module>.js`. Plain JavaScript:
// hooks run on a thread of their own, where tsx's loader is not set up.
import { URL } from "node:url"

const packages = new URL("../../", import.meta.url)
const built = new Set(["core", "platform-node", "testing"])

export const resolve = (specifier, context, nextResolve) => {
  const match = /^@effect-lucca\/([a-z-]+)(?:\/([A-Za-z]+))?$/.exec(specifier)
  if (match === null || !built.has(match[1])) return nextResolve(specifier, context)
  return {
    url: new URL(`${match[1]}/dist/${match[2] ?? "index"}.js`, packages).href,
    format: "module",
    shortCircuit: true
  }
}
