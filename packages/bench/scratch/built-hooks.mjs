import { pathToFileURL } from "node:url"
const root = new URL("../../", import.meta.url)
export async function resolve(specifier, context, next) {
  const m = /^@effect-lucca\/([a-z-]+)(?:\/([A-Za-z]+))?$/.exec(specifier)
  if (m !== null && m[1] !== "bench") {
    return { url: new URL(`${m[1]}/build/esm/${m[2] ?? "index"}.js`, root).href, shortCircuit: true, format: "module" }
  }
  return next(specifier, context)
}
