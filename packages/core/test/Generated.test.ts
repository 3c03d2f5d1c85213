/**
 * The files generated from Lucca's OpenAPI description, checked against it. The
 * description is read from `../shared/reference/` beside the repository (see
 * `vitest.config.ts`: outside CI these tests are left out when it is not there).
 */
import { LuccaScope } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Generate from "../scripts/generate.js"

describe("generated from Lucca's OpenAPI description", () => {
  it.effect(
    "src/internal/operationScopes.ts and src/LuccaResources.ts are current (run scripts/generate.ts)",
    () =>
      Effect.gen(function*() {
        const expected = yield* Effect.promise(() => Generate.generate())
        assert.strictEqual(Fs.readFileSync(Generate.outputs.operationScopes, "utf8"), expected.operationScopes)
        assert.strictEqual(Fs.readFileSync(Generate.outputs.resources, "utf8"), expected.resources)
      }),
    30_000
  )
})

describe("LuccaScope against the description", () => {
  it("every operation of the description has accepted scopes, all of them known", () => {
    const description = Generate.readDescription()
    for (const operation of Generate.operationsOf(description)) {
      const path = operation.path.replace(/\{[^}]+\}/g, "x1")
      const accepted = LuccaScope.acceptedScopes(operation.method, path)
      assert.deepStrictEqual(accepted, operation.scopes, `${operation.method} ${operation.path}`)
      for (const scope of accepted!) assert.include(LuccaScope.knownScopes, scope)
    }
  })
})
