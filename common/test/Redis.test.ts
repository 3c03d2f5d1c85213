/**
 * What the redis package of both lines shares: its generated copies are current and the
 * same in both lines, and the token encryption keeps what the store relies on.
 */
import * as Fs from "node:fs"
import { assert, describe, it } from "vitest"
import * as Crypto from "../redis/crypto.js"
import * as Redis from "../scripts/redis.js"

const text = (url: URL) => Fs.readFileSync(url, "utf8")

describe("the redis package's shared Lua and crypto", () => {
  it("the generated files of both lines are current (run pnpm generate)", async () => {
    const expected = await Redis.generate()
    for (const name of Object.keys(Redis.outputs) as Array<keyof typeof Redis.outputs>) {
      assert.strictEqual(text(Redis.outputs[name]), expected[name], name)
    }
  }, 60_000)

  it("both lines run the same scripts and the same crypto", () => {
    assert.strictEqual(text(Redis.outputs.scriptsEffect3), text(Redis.outputs.scriptsEffect4))
    assert.strictEqual(text(Redis.outputs.cryptoEffect3), text(Redis.outputs.cryptoEffect4))
  })

  it("every script of common/redis is in the generated module, verbatim", () => {
    const scripts = Redis.readScripts()
    assert.deepStrictEqual(scripts.map(([name]) => name), [
      "acquireLease",
      "deleteIfId",
      "deleteIfOwner",
      "fixedWindow",
      "tokenBucket"
    ])
    const generated = text(Redis.outputs.scriptsEffect3)
    for (const [name, lua] of scripts) assert.include(generated, `${name}: \`\n${lua}\``, name)
  })
})

describe("token encryption", () => {
  const context = JSON.stringify(["https://example/connect/token", "client-1", ["employees.readonly"]])

  it("a sealed token opens with the same secret and context, and with nothing else", async () => {
    const keys = await Crypto.deriveKeys("s3cr3t", context)
    const sealed = await Crypto.encrypt(keys, "the token", "key-a")
    assert.notInclude(sealed, "the token")
    assert.strictEqual(await Crypto.decrypt(await Crypto.deriveKeys("s3cr3t", context), sealed, "key-a"), "the token")
    // another secret, another client (context), another store key (aad): nothing
    assert.isUndefined(await Crypto.decrypt(await Crypto.deriveKeys("another", context), sealed, "key-a"))
    assert.isUndefined(await Crypto.decrypt(await Crypto.deriveKeys("s3cr3t", `${context}x`), sealed, "key-a"))
    assert.isUndefined(await Crypto.decrypt(keys, sealed, "key-b"))
  })

  it("a tampered or malformed value opens to nothing, without an error", async () => {
    const keys = await Crypto.deriveKeys("s3cr3t", context)
    const sealed = await Crypto.encrypt(keys, "the token", "key-a")
    const [iv, data] = sealed.split(".")
    const flipped = `${data.slice(0, 5)}${data[5] === "A" ? "B" : "A"}${data.slice(6)}`
    for (const value of [`${iv}.${flipped}`, `${iv}.${data}.x`, "", ".", `${iv}`, `${iv}.%%%`, `AAAA.${data}`]) {
      assert.isUndefined(await Crypto.decrypt(keys, value, "key-a"), value)
    }
  })

  it("two seals of one token differ (a fresh IV each time)", async () => {
    const keys = await Crypto.deriveKeys("s3cr3t", context)
    assert.notStrictEqual(await Crypto.encrypt(keys, "t", "k"), await Crypto.encrypt(keys, "t", "k"))
  })

  it("a token's id is stable, 128 bits, and names that token only", async () => {
    const keys = await Crypto.deriveKeys("s3cr3t", context)
    const id = await Crypto.tokenId(keys, "token-1")
    assert.strictEqual(await Crypto.tokenId(await Crypto.deriveKeys("s3cr3t", context), "token-1"), id)
    assert.strictEqual(Crypto.decodeBase64Url(id)?.length, 16)
    assert.notStrictEqual(await Crypto.tokenId(keys, "token-2"), id)
    assert.notStrictEqual(await Crypto.tokenId(await Crypto.deriveKeys("other", context), "token-1"), id)
  })

  it("base64url is RFC 4648's, unpadded, as the values already in Redis hold it", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length * 7) % 256)
      const encoded = Crypto.encodeBase64Url(bytes)
      assert.strictEqual(encoded, Buffer.from(bytes).toString("base64url"))
      assert.deepStrictEqual(Crypto.decodeBase64Url(encoded), bytes)
    }
    assert.isUndefined(Crypto.decodeBase64Url("a+b/"))
    assert.isUndefined(Crypto.decodeBase64Url("abcde"))
  })

  it("a store key's digest is SHA-256 in base64url (the key names already in Redis)", async () => {
    assert.strictEqual(
      await Crypto.digest(context),
      (await import("node:crypto")).createHash("sha256").update(context).digest("base64url")
    )
  })
})
