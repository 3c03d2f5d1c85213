import { LuccaCli } from "@effect-lucca/cli"
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { format } from "node:util"

/** What a run of `lucca` wrote and how it ended. */
export interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A `Console` that keeps what `log` (standard output) and everything else (standard error) write. */
const capturing = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  const toOut = (...args: ReadonlyArray<unknown>) => void out.push(format(...args) + "\n")
  const toErr = (...args: ReadonlyArray<unknown>) => void err.push(format(...args) + "\n")
  const console: Console.Console = {
    assert: () => {},
    clear: () => {},
    count: () => {},
    countReset: () => {},
    debug: toErr,
    dir: toErr,
    dirxml: toErr,
    error: toErr,
    group: () => {},
    groupCollapsed: () => {},
    groupEnd: () => {},
    info: toErr,
    log: toOut,
    table: toOut,
    time: () => {},
    timeEnd: () => {},
    timeLog: () => {},
    trace: toErr,
    warn: toErr
  }
  return { console, stdout: () => out.join(""), stderr: () => err.join("") }
}

/** The settings of the emulator's default application, as `LUCCA_*` variables. */
export const fakeEnv = (overrides?: Record<string, string | undefined>): Record<string, string> => {
  const env: Record<string, string | undefined> = {
    LUCCA_CLIENT_ID: FakeLucca.defaultClientId,
    LUCCA_CLIENT_SECRET: FakeLucca.defaultClientSecret,
    LUCCA_SCOPES: "employees.readonly departments.readonly",
    LUCCA_ACCOUNT_URL: FakeLucca.defaultAccountUrl,
    LUCCA_TOKEN_URL: FakeLucca.tokenUrl,
    ...overrides
  }
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

/**
 * Runs `lucca args` in process, over the in-memory emulator in context, with `env` as
 * the environment and a captured console.
 */
export const runInProcess = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options?: {
    /** Wraps the emulator's client: a test can answer some requests itself. */
    readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  }
) =>
  Effect.gen(function*() {
    const captured = capturing()
    const code = yield* LuccaCli.run(args).pipe(
      Effect.provideService(Console.Console, captured.console),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)),
      Effect.provide(NodeServices.layer),
      Effect.provide(
        options?.transformClient === undefined
          ? FakeLuccaClient.layer
          : Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, options.transformClient))
            .pipe(Layer.provide(FakeLuccaClient.layer))
      ),
      // a clock of its own per command, as each process has: the account's pacing budget
      // is kept per clock, and the test clock does not move while a command waits on it
      Effect.provide(TestClock.layer())
    )
    return { code, stdout: captured.stdout(), stderr: captured.stderr() } satisfies Outcome
  })

const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
// node itself runs the command (tsx only as a loader): a signal reaches the command's process
const command = [process.execPath, "--import", "tsx", "src/bin.ts"] as const

/** The environment of a subprocess: this one's, without any LUCCA_* setting, plus `env`. */
const childEnv = (env: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("LUCCA_"))),
  ...env
})

/** Starts `lucca args` as a real process; `onStdout` sees its standard output as it comes. */
export const spawnLucca = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void
) =>
  Effect.callback<Outcome>((resume) => {
    const child = spawn(command[0], [...command.slice(1), ...args], {
      cwd: packageDir,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      onStdout?.(stdout, child)
    })
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  })

/** The secrets or tokens that show in `text` (their first characters only). */
export const secretsIn = (
  text: string,
  secrets: ReadonlyArray<string | Redacted.Redacted<string>>
): ReadonlyArray<string> =>
  secrets
    .map((secret) => Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)
    .filter((secret) => secret.length > 0 && text.includes(secret))
    .map((secret) => `${secret.slice(0, 4)}…`)
