#!/usr/bin/env node
/**
 * `fake-lucca`: the emulator on loopback, until SIGINT (Ctrl-C) or SIGTERM.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Runtime from "effect/Runtime"
import { parseArgs } from "node:util"
import * as FakeLucca from "./FakeLucca.js"
import * as FakeLuccaServer from "./FakeLuccaServer.js"

const usage = `Usage: fake-lucca [options]

Serves a Lucca emulator on loopback: the token endpoint and the account API.

Options:
  --port <n>             port of the first account (default 0: a free port);
                         further accounts take the following ports
  --host <host>          address to bind (default 127.0.0.1)
  --account <name|url>   an account to serve; repeat for several (default: example)
  --seed <seed>          seed of the data set (default 42)
  --token-lifetime <s>   token lifetime in seconds (default 1800)
  --no-rate-limit        turn off the 50 requests/minute per-account limit
  --verbose              log every request (never tokens nor secrets)
  -h, --help             show this help
`

/**
 * A usage error: the message and a hint go to stderr and the command exits with 2, the
 * conventional status of a misused command (no stack trace: nothing failed inside).
 */
const usageError = (message: string): never => {
  process.stderr.write(`fake-lucca: ${message}\nRun 'fake-lucca --help' for the options.\n`)
  return process.exit(2)
}

const parseOptions = (args: ReadonlyArray<string>) => {
  try {
    return parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        account: { type: "string", multiple: true },
        seed: { type: "string" },
        "token-lifetime": { type: "string" },
        "no-rate-limit": { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (cause) {
    return usageError(cause instanceof Error ? cause.message : String(cause))
  }
}

/** A value as one shell word, quoted only when it needs to be. */
const shellQuote = (value: string) => /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`

const integer = (name: string, value: string | undefined, fallback: number): number =>
  value === undefined
    ? fallback
    : /^\d+$/.test(value)
    ? Number(value)
    : usageError(`--${name} must be a non-negative integer, got '${value}'`)

const program = Effect.gen(function*() {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) return yield* Console.log(usage)
  const port = integer("port", options.port, 0)
  const tokenLifetime = integer("token-lifetime", options["token-lifetime"], 1800)
  const rateLimit = options["no-rate-limit"] ? false : FakeLucca.luccaRateLimit

  const serve = Effect.gen(function*() {
    const server = yield* FakeLuccaServer.FakeLuccaServer
    const fake = yield* FakeLucca.FakeLucca
    const applications = yield* fake.applications
    const lines = ["Fake Lucca is listening (Ctrl-C to stop)", "", `token URL:     ${server.tokenUrl}`]
    for (const account of server.accounts) {
      lines.push(`account URL:   ${account.url}   (account "${account.name}")`)
      for (const application of applications.filter((a) => a.account === account.name)) {
        lines.push(`client id:     ${application.clientId}`)
        // the emulator's own, published default secret: printing it is the point
        lines.push(`client secret: ${Redacted.value(application.clientSecret)}`)
      }
    }
    lines.push(`scopes:        ${FakeLucca.allScopes.join(" ")}`)
    lines.push(
      `rate limit:    ${
        rateLimit === false
          ? "off"
          : `${rateLimit.requests} requests per ${
            Duration.format(Duration.fromInputUnsafe(rateLimit.window))
          } per account`
      }`
    )
    lines.push(`token life:    ${tokenLifetime} s`, "")
    // the settings of the first account's application, ready to paste (as `lucca emulator`)
    const [account] = server.accounts
    const application = applications.find((a) => a.account === account?.name)
    if (account !== undefined && application !== undefined) {
      lines.push(
        `Use it from another terminal${server.accounts.length > 1 ? ` (account "${account.name}")` : ""}:`,
        "",
        `export LUCCA_TOKEN_URL=${shellQuote(server.tokenUrl)}`,
        `export LUCCA_ACCOUNT_URL=${shellQuote(account.url)}`,
        `export LUCCA_CLIENT_ID=${shellQuote(application.clientId)}`,
        `export LUCCA_CLIENT_SECRET=${shellQuote(Redacted.value(application.clientSecret))}`,
        `export LUCCA_SCOPES=${shellQuote(FakeLucca.allScopes.join(" "))}`,
        ""
      )
    }
    yield* Console.log(lines.join("\n"))
    return yield* Effect.never
  })

  return yield* serve.pipe(
    Effect.provide(FakeLuccaServer.layerFake({
      port,
      host: options.host,
      fake: {
        accounts: options.account,
        seed: options.seed,
        rateLimit,
        tokenLifetime: Duration.seconds(tokenLifetime)
      }
    })),
    Effect.provideService(References.MinimumLogLevel, options.verbose ? "Debug" : "Info")
  )
})

// runMain interrupts the program on SIGINT and SIGTERM: the server's scope closes the socket.
// Stopped that way is how the emulator ends: exit 0 (Effect 4 would exit 130).
NodeRuntime.runMain(program, {
  teardown: (exit, onExit) =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)
})
