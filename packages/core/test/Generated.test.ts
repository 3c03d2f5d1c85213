/**
 * `LuccaScope` against Lucca's OpenAPI description. The generated files being current is
 * checked in one place for both lines, `../../../common/test/Generated.test.ts`; this test
 * walks the description on its own (method, path, `security`), so that it does not take the
 * generator's word for the table it checks. The description is read from
 * `../shared/reference/` beside the repository (see `vitest.config.ts`: outside CI this
 * test is left out when it is not there).
 */
import { LuccaScope } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"

const descriptionUrl = new URL("../../../../shared/reference/lucca-api@2024-11-01.json", import.meta.url)

/** Each operation of the description, with the scopes its `security` accepts. */
const operationsOf = (document: any): Array<{ method: "GET" | "POST"; path: string; scopes: Array<string> }> =>
  Object.entries<any>(document.paths).flatMap(([path, item]) =>
    (["get", "post"] as const).filter((m) => item[m] !== undefined).map((m) => ({
      method: m.toUpperCase() as "GET" | "POST",
      path,
      scopes: (item[m].security ?? []).flatMap((s: Record<string, Array<string>>) => Object.values(s).flat())
    }))
  )

describe("LuccaScope against the description", () => {
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
