/**
 * The emulator's table of operations against Lucca's OpenAPI description, ported from the
 * Effect 3 line's `packages/testing/test/Generated.test.ts` (whose other half, the table
 * being current, is `../../../../common/test/Generated.test.ts`). The description is read
 * from `../shared/reference/` beside the repository: outside CI the suite is skipped with
 * one line when it is not there; in CI that is a failure.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Operations from "../src/internal/operations.js"

const descriptionUrl = new URL("../../../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)
const present = Fs.existsSync(descriptionUrl)
if (!present) {
  if (process.env.CI === "true") {
    throw new Error(`Lucca's OpenAPI description is not at ${descriptionUrl.pathname} (CI=true)`)
  }
  console.warn(
    `SKIPPED v4/packages/testing: test/Operations.test.ts (Lucca's OpenAPI description is not at ${descriptionUrl.pathname}: CI has it beside the clone)`
  )
}

describe.skipIf(!present)("generated from Lucca's OpenAPI description", () => {
  it("the table has the description's 35 operations and 53 scopes", () => {
    const description = JSON.parse(Fs.readFileSync(descriptionUrl, "utf8"))
    const described = Object.entries<any>(description.paths).flatMap(([path, item]) =>
      (["get", "post"] as const).filter((m) => item[m] !== undefined).map((m) => ({
        method: m.toUpperCase(),
        path,
        scopes: (item[m].security ?? []).flatMap((s: Record<string, Array<string>>) => Object.values(s).flat())
      }))
    )
    assert.strictEqual(described.length, 35)
    assert.strictEqual(Operations.operations.length, 35)
    assert.strictEqual(Operations.operations.filter((o) => o.method === "POST").length, 2)
    assert.strictEqual(Operations.scopes.length, 53)
    assert.deepStrictEqual(
      [...Operations.scopes].sort(),
      Object.keys(description.components.securitySchemes.oAuth.flows.clientCredentials.scopes).sort()
    )
    // every operation of the description is in the table, with the scopes it accepts
    for (const operation of described) {
      const served = Operations.operations.find((o) => o.method === operation.method && o.path === operation.path)
      assert.isDefined(served, `${operation.method} ${operation.path}`)
      assert.deepStrictEqual(served!.scopes, operation.scopes, `${operation.method} ${operation.path}`)
    }
  })
})
