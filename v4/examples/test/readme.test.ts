/**
 * The root README's minimal program, run as written on the Effect 4 line (the README says
 * it runs unchanged there): the ```ts block under "## A minimal program" is extracted from
 * ../../README.md into a module of this workspace, where `@effect-lucca/*`, `effect` and
 * `@effect/platform-node` are the Effect 4 ones, and imported, with two swaps around it and
 * none in it. undici (`NodeHttpClient.layerUndici`, the HTTP layer `NodeLucca` uses)
 * becomes the in-memory emulator, which knows the README's client id and secret;
 * `NodeRuntime.runMain` runs the program to its end here instead of owning the process.
 * Whatever the program logs is captured.
 */
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import type * as PlatformNode from "@effect/platform-node"
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { vi } from "vitest"

const v4 = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")

/** The first ```ts block of the section `heading` of a Markdown document. */
const codeUnder = (markdown: string, heading: string): string => {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  assert.isAtLeast(start, 0, `README.md has no "## ${heading}" section`)
  const end = markdown.indexOf("\n## ", start + 1)
  const section = markdown.slice(start, end === -1 ? undefined : end)
  const match = /```ts\n([\s\S]*?)\n```/.exec(section)
  assert.isNotNull(match, `no ts code block under "## ${heading}"`)
  return match![1]
}

describe("README.md on the Effect 4 line", () => {
  it("the minimal program runs as written with the Effect 4 packages and lists employees", async () => {
    const code = codeUnder(Fs.readFileSync(Path.join(v4, "..", "README.md"), "utf8"), "A minimal program")

    const secret = "the-readme-secret"
    const clientId = /clientId: "([^"]+)"/.exec(code)?.[1]
    assert.isDefined(clientId, "the program names its client id")
    const fake = await Effect.runPromise(FakeLucca.make())
    await Effect.runPromise(fake.registerApplication({ name: "README", clientId: clientId!, clientSecret: secret }))
    const fakeHttp = FakeLuccaClient.layer.pipe(Layer.provide(Layer.succeed(FakeLucca.FakeLucca, fake)))

    const logs: Array<string> = []
    const collect = Logger.make(({ message }) => {
      logs.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    let finished: Promise<Exit.Exit<unknown, unknown>> | undefined
    vi.doMock("@effect/platform-node/NodeHttpClient", async (original) => ({
      ...await original<typeof NodeHttpClient>(),
      layerUndici: fakeHttp
    }))
    vi.doMock("@effect/platform-node", async (original) => {
      const actual = await original<typeof PlatformNode>()
      return {
        ...actual,
        NodeRuntime: {
          ...actual.NodeRuntime,
          runMain: (effect: Effect.Effect<unknown, unknown>) => {
            finished = Effect.runPromiseExit(effect.pipe(Effect.provide(Logger.layer([collect]))))
          }
        }
      }
    })

    const dir = Path.join(v4, "examples", ".readme")
    Fs.mkdirSync(dir, { recursive: true })
    const file = Path.join(dir, `minimal-program-${process.pid}.ts`)
    Fs.writeFileSync(file, code)
    const previous = process.env.LUCCA_CLIENT_SECRET
    process.env.LUCCA_CLIENT_SECRET = secret
    try {
      await import(/* @vite-ignore */ file)
      assert.isDefined(finished, "the program hands its effect to NodeRuntime.runMain")
      const exit = await finished!
      assert.isTrue(Exit.isSuccess(exit), `the program failed: ${String(exit)}`)
    } finally {
      if (previous === undefined) delete process.env.LUCCA_CLIENT_SECRET
      else process.env.LUCCA_CLIENT_SECRET = previous
      Fs.rmSync(file, { force: true })
      vi.doUnmock("@effect/platform-node/NodeHttpClient")
      vi.doUnmock("@effect/platform-node")
    }

    const data = await Effect.runPromise(fake.data())
    assert.strictEqual(logs.length, data.resources.employees.length, "one line per employee")
    const stats = await Effect.runPromise(fake.stats)
    assert.strictEqual(stats.token.issued, 1)
  }, 30_000)
})
