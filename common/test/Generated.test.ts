/**
 * What both lines generate from Lucca's OpenAPI description. The description is read from
 * `../shared/reference/` beside the repository (see `vitest.config.ts`: outside CI these
 * tests are left out when it is not there).
 */
import * as Fs from "node:fs"
import { assert, describe, it } from "vitest"
import * as V3 from "../../packages/core/scripts/generate.js"
import * as Description from "../scripts/description.js"
import * as Generate from "../scripts/generate.js"

describe("generated from Lucca's OpenAPI description", () => {
  it("the Effect 4 line's generated files are current (run pnpm generate)", async () => {
    const expected = await Generate.generate()
    assert.strictEqual(Fs.readFileSync(Generate.outputs.operationScopes, "utf8"), expected.operationScopes)
    assert.strictEqual(Fs.readFileSync(Generate.outputs.resources, "utf8"), expected.resources)
    assert.strictEqual(Fs.readFileSync(Generate.outputs.emulatorOperations, "utf8"), expected.emulatorOperations)
    assert.strictEqual(Fs.readFileSync(Generate.outputs.api, "utf8"), expected.api)
  }, 60_000)

  it("the Effect 3 line's LuccaApi is current (run pnpm generate)", async () => {
    const expected = await Generate.generate()
    assert.strictEqual(Fs.readFileSync(Generate.outputs.apiEffect3, "utf8"), expected.apiEffect3)
  }, 60_000)

  it("LuccaApi has an accessor for every collection of the description, and create for every POST", () => {
    const document = Description.readDescription()
    for (
      const api of [
        Description.renderApi(document, Description.effect3Api),
        Description.renderApi(document, Description.effect4Api)
      ]
    ) {
      for (const operation of Description.operationsOf(document)) {
        const collection = operation.path.split("/")[2]
        const accessor = collection.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
        assert.include(api, `export const ${accessor}:`, operation.path)
      }
      const posts = Description.operationsOf(document).filter((o) => o.method === "POST")
      assert.strictEqual(api.split("...Api.creates<").length - 1, posts.length)
    }
  })

  it("the Effect 3 dialect renders what the Effect 3 line's generator renders: both lines read the description alike", () => {
    const document = Description.readDescription()
    assert.strictEqual(Description.renderResources(document, Description.effect3), V3.renderResources(document))
    assert.strictEqual(
      Description.renderOperationScopes(document, Description.effect3),
      V3.renderOperationScopes(document)
    )
    assert.deepStrictEqual(Description.operationsOf(document), V3.operationsOf(document))
  })

  it("the emulator's table is the same data in both lines", () => {
    const body = (text: string) => text.slice(text.indexOf("\n\n"))
    const v3 = Fs.readFileSync(new URL("../../packages/testing/src/internal/operations.ts", import.meta.url), "utf8")
    assert.strictEqual(body(Fs.readFileSync(Generate.outputs.emulatorOperations, "utf8")), body(v3))
  })

  it("the table of operations is the same data in both lines", () => {
    const document = Description.readDescription()
    const body = (text: string) => text.slice(text.indexOf("\n\n"))
    assert.strictEqual(
      body(Description.renderOperationScopes(document, Description.effect4)),
      body(Description.renderOperationScopes(document, Description.effect3))
    )
  })
})
