import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Generate from "../scripts/generate.js"

describe("generated from Lucca's OpenAPI description", () => {
  it.effect(
    "src/internal/operations.ts is current (run scripts/generate.ts when this fails)",
    () =>
      Effect.gen(function*() {
        const expected = yield* Effect.promise(() => Generate.generate())
        assert.strictEqual(Fs.readFileSync(Generate.outputUrl, "utf8"), expected)
      }),
    30_000
  )

  it("the table has the description's 35 operations and 53 scopes", () => {
    const operations = Generate.operationsOf(Generate.readDescription())
    assert.strictEqual(operations.length, 35)
    assert.strictEqual(operations.filter((o) => o.method === "POST").length, 2)
    assert.strictEqual(Generate.scopesOf(Generate.readDescription()).length, 53)
  })
})
