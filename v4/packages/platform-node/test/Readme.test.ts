/**
 * The root README's minimal program, run as written on the Effect 4 line (ported from the
 * Effect 3 line's `examples/test/readme.test.ts`): the public names are the same on both
 * lines, so the same text runs on either. The ```ts block under "## A minimal program" is
 * extracted from README.md into a module and imported, with two swaps around it and none
 * in it: undici (`NodeHttpClient.layerUndici`, the HTTP layer `NodeLucca` uses) becomes the
 * v4 emulator, which knows the README's client id and secret; `NodeRuntime.runMain` runs
 * the program to its end here instead of owning the process. What the program logs is
 * captured.
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

const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "../../../..")

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

describe("README.md", () => {
  it("the minimal program runs as written and lists employees", async () => {
    const code = codeUnder(Fs.readFileSync(Path.join(root, "README.md"), "utf8"), "A minimal program")

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

    // inside the package (so that its imports resolve as a user's would), under the ignored build/
    const dir = Path.resolve(here, "../build/readme")
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
    assert.isAbove(data.resources.employees.length, 0)
    assert.strictEqual(logs.length, data.resources.employees.length, "one line per employee")
    const stats = await Effect.runPromise(fake.stats)
    assert.strictEqual(stats.token.issued, 1)
  }, 30_000)
})
