/**
 * The Effect 3 line's emulator (`fake-lucca`, packages/testing) served on loopback in a
 * child process, for the Effect 4 line's tests over real sockets until the emulator is
 * ported: it depends on no Effect of this workspace, only on the repository root's install.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export interface Emulator {
  readonly tokenUrl: string
  readonly accountUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Every scope the emulator's default application is granted. */
  readonly scopes: ReadonlyArray<string>
}

const root = fileURLToPath(new URL("../../../../", import.meta.url))

/** Starts `fake-lucca --port 0 --no-rate-limit`; stops it when the scope closes. */
export const start: Effect.Effect<Emulator, Error, Scope.Scope> = Effect.acquireRelease(
  Effect.callback<readonly [Emulator, () => void], Error>((resume) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "packages/testing/src/bin.ts", "--port", "0", "--no-rate-limit"],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
    )
    let out = ""
    let err = ""
    const stop = () => {
      if (child.exitCode === null) child.kill("SIGTERM")
    }
    const timer = setTimeout(() => {
      stop()
      resume(Effect.fail(new Error(`fake-lucca did not start within 60 s: ${err}`)))
    }, 60_000)
    child.stderr.on("data", (chunk) => err += String(chunk))
    child.stdout.on("data", (chunk) => {
      out += String(chunk)
      if (!/token life:/.test(out)) return
      clearTimeout(timer)
      const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(out)?.[1] ?? ""
      resume(Effect.succeed(
        [{
          tokenUrl: field("token URL"),
          accountUrl: field("account URL"),
          clientId: field("client id"),
          clientSecret: Redacted.make(field("client secret")),
          scopes: (/scopes:\s+(.+)/.exec(out)?.[1] ?? "").trim().split(/\s+/)
        }, stop] as const
      ))
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      resume(Effect.fail(new Error(`fake-lucca exited with ${code}: ${err}`)))
    })
    return Effect.sync(stop)
  }),
  ([, stop]) => Effect.sync(stop)
).pipe(Effect.map(([emulator]) => emulator))

/** One emulator for the tests of a file. */
export class FakeLucca extends Context.Service<FakeLucca, Emulator>()("test/FakeLucca") {}

export const layer: Layer.Layer<FakeLucca, Error> = Layer.effect(FakeLucca, start)
