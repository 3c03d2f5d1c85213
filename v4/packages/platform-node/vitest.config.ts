import * as Fs from "node:fs"
import { configDefaults, defineProject } from "vitest/config"

// The loopback tests drive the Effect 3 line's emulator (packages/testing) in a child
// process, until the emulator is ported to Effect 4: it needs the repository root's
// install (`pnpm install` at the root). Without it the tests are left out, and say so;
// in CI (CI=true) they always run.
const root = new URL("../../../", import.meta.url)
const needs = ["packages/testing/src/bin.ts", "node_modules/tsx", "packages/testing/node_modules/@effect/platform-node"]
const missing = needs.filter((path) => !Fs.existsSync(new URL(path, root)))
const needsEmulator = ["test/NodeLucca.test.ts", "test/LuccaApi.test.ts"]
const withoutEmulator = missing.length > 0 && process.env.CI !== "true"
if (withoutEmulator) {
  console.warn(
    `platform-node: ${
      needsEmulator.join(", ")
    } left out: the emulator of the Effect 3 line is not installed (run pnpm install at the repository root)`
  )
}

export default defineProject({
  test: {
    name: "platform-node",
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(withoutEmulator ? needsEmulator : [])]
  }
})
