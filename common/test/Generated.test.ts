/**
 * What both lines generate from Lucca's OpenAPI description: the one place that checks
 * every generated file of both lines is current. The description is read from
 * `../shared/reference/` beside the repository (see `vitest.config.ts`: outside CI these
 * tests are left out when it is not there).
 */
import * as Fs from "node:fs"
import { assert, describe, it } from "vitest"
import * as Description from "../scripts/description.js"
import * as Emulator from "../scripts/emulator.js"
import * as Generate from "../scripts/generate.js"

describe("generated from Lucca's OpenAPI description", () => {
  it("every file generated from the description, in both lines, is current (run pnpm generate)", async () => {
    const expected = await Generate.generate()
    for (const name of Object.keys(Generate.outputs) as Array<keyof typeof Generate.outputs>) {
      assert.strictEqual(Fs.readFileSync(Generate.outputs[name], "utf8"), expected[name], name)
    }
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

  it("the emulator's table has the description's 35 operations and 53 scopes", () => {
    const document = Description.readDescription()
    const operations = Emulator.operationsOf(document)
    assert.strictEqual(operations.length, 35)
    assert.strictEqual(operations.filter((o) => o.method === "POST").length, 2)
    assert.strictEqual(Description.scopesOf(document).length, 53)
  })

  it("the emulator's table is the same data in both lines", () => {
    const body = (text: string) => text.slice(text.indexOf("\n\n"))
    assert.strictEqual(
      body(Fs.readFileSync(Generate.outputs.emulatorOperations, "utf8")),
      body(Fs.readFileSync(Generate.outputs.emulatorOperationsEffect3, "utf8"))
    )
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
