/**
 * The helpers the errors of the package are built with, public for clients of one's own
 * (the browser worker's, on the Effect 3 line).
 */
import { LuccaError } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

describe("LuccaError helpers", () => {
  it("displayUrl keeps the origin and the path, never credentials, query or fragment", () => {
    assert.strictEqual(
      LuccaError.displayUrl("https://user:pass@example.ilucca.net/lucca-api/employees?cursor=abc&key=k#top"),
      "https://example.ilucca.net/lucca-api/employees"
    )
    assert.strictEqual(LuccaError.displayUrl("/lucca-api/employees?cursor=abc"), "/lucca-api/employees")
  })

  it.effect("describeParseError names the first issue's path and message", () =>
    Effect.gen(function*() {
      const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.Number })) })
      const decode = Schema.decodeUnknownEffect(Page)
      const wrongType = yield* Effect.flip(decode({ items: [{ id: 1 }, { id: "2" }] }))
      const described = LuccaError.describeParseError(wrongType)
      assert.strictEqual(described.path, "items[1].id")
      assert.include(described.message, "number")
      const missing = yield* Effect.flip(decode({ items: [{}] }))
      assert.deepStrictEqual(LuccaError.describeParseError(missing), { path: "items[0].id", message: "is missing" })
      const root = yield* Effect.flip(decode("not an object"))
      assert.strictEqual(LuccaError.describeParseError(root).path, "")
    }))

  it("systemErrorCode reads a code on the cause or its cause, never a message", () => {
    assert.strictEqual(LuccaError.systemErrorCode({ code: "ECONNREFUSED" }), "ECONNREFUSED")
    assert.strictEqual(
      LuccaError.systemErrorCode(Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_SOCKET" } })),
      "UND_ERR_SOCKET"
    )
    // what does not look like a system code is not quoted (it may hold anything)
    assert.isUndefined(LuccaError.systemErrorCode({ code: "Bearer the-token" }))
    assert.isUndefined(LuccaError.systemErrorCode(new Error("connect ECONNREFUSED")))
    assert.isUndefined(LuccaError.systemErrorCode(undefined))
  })
})
