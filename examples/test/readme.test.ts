/**
 * The root README's minimal program, run as written: the ```ts block under
 * "## A minimal program" is extracted from README.md into a module and imported, with two
 * swaps around it and none in it. undici (`NodeHttpClient.layerUndici`, the HTTP layer
 * `NodeLucca` uses) becomes the in-memory emulator, which knows the README's client id and
 * secret; `NodeRuntime.runMain` runs the program to its end here instead of owning the
 * process. Whatever the program logs is captured.
 */
import { LuccaClient } from "@effect-lucca/core"
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import type * as PlatformNode from "@effect/platform-node"
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { vi } from "vitest"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")

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
            finished = Effect.runPromiseExit(
              effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)))
            )
          }
        }
      }
    })

    const dir = Path.join(root, "examples", ".readme")
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

describe("packages/core/README.md", () => {
  it("the LuccaApi example runs as written against the emulator", async () => {
    const code = codeUnder(
      Fs.readFileSync(Path.join(root, "packages", "core", "README.md"), "utf8"),
      "Typed resources (`LuccaApi`)"
    )
    // the block defines `program`, the effect a user runs with a LuccaClient: exported here
    const dir = Path.join(root, "examples", ".readme")
    Fs.mkdirSync(dir, { recursive: true })
    const file = Path.join(dir, `lucca-api-${process.pid}.ts`)
    Fs.writeFileSync(file, `${code}\nexport { program }\n`)
    try {
      const { program } = await import(/* @vite-ignore */ file) as {
        readonly program: Effect.Effect<
          { readonly active: number; readonly employments: number },
          unknown,
          LuccaClient.LuccaClient
        >
      }
      const scopes = /needs a LuccaClient with ([a-z.-]+(?: and [a-z.-]+)*)/.exec(code)?.[1].split(" and ")
      assert.isDefined(scopes, "the example says which scopes it needs")
      const exit = await Effect.runPromiseExit(program.pipe(
        Effect.provide(
          LuccaClient.layer({
            clientId: FakeLucca.defaultClientId,
            clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
            accountUrl: FakeLucca.defaultAccountUrl,
            scopes: scopes!,
            rateLimit: false
          }).pipe(Layer.provide(FakeLuccaClient.layerFake()))
        )
      ))
      assert.isTrue(Exit.isSuccess(exit), `the example failed: ${String(exit)}`)
      if (Exit.isSuccess(exit)) assert.isAbove(exit.value.active, 0)
    } finally {
      Fs.rmSync(file, { force: true })
    }
  }, 30_000)
})
