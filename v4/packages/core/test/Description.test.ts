/**
 * `LuccaScope` against Lucca's OpenAPI description, ported from the Effect 3 line's
 * `Generated.test.ts` (whose other half, the generated files being current, is
 * `../../../../common/test/Generated.test.ts`). The description is read from
 * `../shared/reference/` beside the repository: outside CI the suite is skipped with one
 * line when it is not there; in CI that is a failure.
 */
import { LuccaScope } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"

const descriptionUrl = new URL("../../../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)
const present = Fs.existsSync(descriptionUrl)
if (!present) {
  if (process.env.CI === "true") {
    throw new Error(`Lucca's OpenAPI description is not at ${descriptionUrl.pathname} (CI=true)`)
  }
  console.warn(
    `SKIPPED v4/packages/core: test/Description.test.ts (Lucca's OpenAPI description is not at ${descriptionUrl.pathname}: CI has it beside the clone)`
  )
}

/** Each operation of the description, with the scopes its `security` accepts. */
const operationsOf = (document: any): Array<{ method: "GET" | "POST"; path: string; scopes: Array<string> }> =>
  Object.entries<any>(document.paths).flatMap(([path, item]) =>
    (["get", "post"] as const).filter((m) => item[m] !== undefined).map((m) => ({
      method: m.toUpperCase() as "GET" | "POST",
      path,
      scopes: (item[m].security ?? []).flatMap((s: Record<string, Array<string>>) => Object.values(s).flat())
    }))
  )

describe.skipIf(!present)("LuccaScope against the description", () => {
  it("every operation of the description has accepted scopes, all of them known", () => {
    const operations = operationsOf(JSON.parse(Fs.readFileSync(descriptionUrl, "utf8")))
    assert.strictEqual(operations.length, 35)
    for (const operation of operations) {
      const path = operation.path.replace(/\{[^}]+\}/g, "x1")
      const accepted = LuccaScope.acceptedScopes(operation.method, path)
      assert.deepStrictEqual(accepted, operation.scopes, `${operation.method} ${operation.path}`)
      for (const scope of accepted!) assert.include(LuccaScope.knownScopes, scope)
    }
  })
})
