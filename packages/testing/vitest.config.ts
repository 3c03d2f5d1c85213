import * as Fs from "node:fs"
import { configDefaults, defineProject } from "vitest/config"
import { skipped } from "../../vitest.skips.js"

// Lucca's OpenAPI description is not part of the repository: CI has it beside the clone,
// in ../shared/reference/. Elsewhere the tests that read it are left out, and say so.
const description = new URL("../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)
const needsDescription = ["test/Conformance.test.ts"]
const withoutDescription = !Fs.existsSync(description) && process.env.CI !== "true"
if (withoutDescription) {
  skipped(
    `packages/testing: ${
      needsDescription.join(", ")
    } (Lucca's OpenAPI description is not at ${description.pathname}: CI has it beside the clone)`
  )
}

export default defineProject({
  test: {
    name: "testing",
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(withoutDescription ? needsDescription : [])]
  }
})
