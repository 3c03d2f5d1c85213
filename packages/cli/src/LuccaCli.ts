/**
 * The `lucca` command: `doctor`, `token`, `get`, `list` and `emulator`, built with
 * `@effect/cli`. `bin.ts` runs it on Node; tests run it in process with {@link run}.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Commands from "./internal/commands.js"
import * as Doctor from "./internal/doctor.js"
import * as Otlp from "./internal/otlp.js"
import * as Render from "./internal/render.js"
import * as Settings from "./internal/settings.js"
import * as Webhooks from "./internal/webhooks.js"

/**
 * The version `lucca --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The exit codes of `lucca`: `0` success; `1` a check of `doctor` failed or the API
 * answered an error; `2` a usage error; `3` settings, credentials or scopes to fix; `4` a
 * host unreachable, a timeout or a temporary unavailability (try again); `70` a bug of
 * `lucca`; `130` interrupted.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode: {
  readonly Ok: 0
  readonly Failed: 1
  readonly Usage: 2
  readonly Configuration: 3
  readonly Unavailable: 4
  readonly Internal: 70
  readonly Interrupted: 130
} = Render.ExitCode

const trace = Options.file("trace").pipe(
  Options.withDescription("Write the command's spans to this file as OTLP JSON"),
  Options.optional
)

const verbose = Options.boolean("verbose").pipe(
  Options.withAlias("v"),
  Options.withDescription("On failure, also print the details of the error")
)

const root = Command.make("lucca", { trace }).pipe(
  Command.withDescription(
    "Check, debug and try a Lucca API integration. Settings come from the LUCCA_* variables (LUCCA_CLIENT_ID, LUCCA_CLIENT_SECRET, LUCCA_SCOPES, LUCCA_ACCOUNT_URL, LUCCA_TOKEN_URL, LUCCA_API_VERSION) or flags; the secret only from LUCCA_CLIENT_SECRET."
  )
)

/**
 * The account origin that fills the links of a fix: `--account-url`, else
 * `LUCCA_ACCOUNT_URL` (a command such as `token` does not read it, but its errors link to
 * the account's admin pages), when it is a URL.
 */
const accountOrigin = (flag: Option.Option<string>): Effect.Effect<string | undefined> =>
  Option.match(flag, {
    onSome: (url): Effect.Effect<string | undefined> => Effect.succeed(url),
    onNone: () => Effect.orElseSucceed(Config.string("LUCCA_ACCOUNT_URL"), () => undefined)
  }).pipe(Effect.map((url) => url !== undefined && URL.canParse(url) ? new URL(url).origin : undefined))

/**
 * Runs a subcommand: within a span named after it, traced to `--trace` if given; its
 * failure rendered on standard error and turned into the exit code.
 */
const execute = <E, R>(
  name: string,
  options: { readonly verbose: boolean; readonly accountUrl?: Option.Option<string> },
  effect: Effect.Effect<void, E, R>
) =>
  Effect.flatMap(root, ({ trace }) => {
    const spanned = Effect.withSpan(effect, `lucca ${name}`)
    const traced = Option.match(trace, {
      onNone: () => spanned,
      onSome: (file) => Otlp.traceTo(file, version, spanned)
    })
    return Effect.catchAllCause(traced, (cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure) && failure.value instanceof Render.Exit) return Effect.fail(failure.value)
      return Effect.flatMap(accountOrigin(options.accountUrl ?? Option.none()), (account) => {
        const rendered = Render.renderCause(cause, account)
        return Effect.zipRight(
          Console.error(Render.lines(rendered, options.verbose).join("\n")),
          Effect.fail(new Render.Exit({ code: rendered.exitCode }))
        )
      })
    })
  })

const connection = { ...Settings.options, verbose }

const doctor = Command.make(
  "doctor",
  connection,
  (flags) => execute("doctor", flags, Doctor.run(flags))
).pipe(Command.withDescription(
  "Check the settings, the token host, the credentials, the scopes granted, the account, the clock, and one request per granted scope. Exits 0 only when every check passes."
))

const token = Command.make("token", {
  ...connection,
  print: Options.boolean("print").pipe(Options.withDescription("Write the token to standard output")),
  json: Options.boolean("json").pipe(
    Options.withDescription("Write the answer as one JSON object (with access_token only with --print)")
  )
}, (flags) => execute("token", flags, Commands.token(flags, flags))).pipe(Command.withDescription(
  "Request a token with the client credentials. It is shown only with --print, on standard output; its expiry goes to standard error."
))

const path = Args.text({ name: "PATH" }).pipe(
  Args.withDescription("A path of the account API, such as /lucca-api/employees")
)

const get = Command.make(
  "get",
  { ...connection, path },
  (flags) => execute("get", flags, Commands.get(flags, flags.path))
).pipe(Command.withDescription("GET a resource of the account API and print its JSON on standard output."))

const list = Command.make("list", {
  ...connection,
  path,
  limit: Options.integer("limit").pipe(
    Options.withDescription("Stop after this many items (default: every item)"),
    Options.optional
  ),
  pageSize: Options.integer("page-size").pipe(
    Options.withDescription("Items per request, 1 to 100 (default: 100, or --limit when smaller)"),
    Options.optional
  ),
  filter: Options.text("filter").pipe(
    Options.withDescription("A query parameter key=value, such as status=active; repeat for several"),
    Options.repeated
  )
}, (flags) =>
  execute(
    "list",
    flags,
    Commands.list(flags, flags.path, {
      limit: flags.limit,
      pageSize: flags.pageSize,
      filters: flags.filter,
      progress: process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined
    })
  )).pipe(Command.withDescription(
    "List a collection of the account API, one JSON line per item on standard output, following the cursors and paced to the account's budget (50 requests a minute). A progress line goes to standard error when it is a terminal."
  ))

const emulator = Command.make("emulator", {
  port: Options.integer("port").pipe(
    Options.withDescription("The port to listen on (default 0: a free port)"),
    Options.withDefault(0)
  ),
  host: Options.text("host").pipe(Options.withDescription("The address to bind"), Options.withDefault("127.0.0.1")),
  seed: Options.text("seed").pipe(Options.withDescription("The seed of the data set"), Options.withDefault("42")),
  scopes: Options.text("scopes").pipe(
    Options.withDescription("The scopes to print in the LUCCA_SCOPES line (the application has them all)"),
    Options.optional
  ),
  tokenLifetime: Options.integer("token-lifetime").pipe(
    Options.withDescription("The lifetime of the tokens, in seconds"),
    Options.withDefault(1800)
  ),
  noRateLimit: Options.boolean("no-rate-limit").pipe(
    Options.withDescription("Turn off the emulated limit of 50 requests a minute per account")
  ),
  verbose
}, (flags) =>
  execute(
    "emulator",
    flags,
    Commands.emulator({ ...flags, rateLimit: !flags.noRateLimit })
  )).pipe(Command.withDescription(
    "Run Lucca's emulator on loopback and print the settings to use it with the other commands, until Ctrl-C."
  ))

const webhooks = Command.make("webhooks").pipe(
  Command.withDescription("Try webhooks against the emulator."),
  Command.withSubcommands([
    Command.make(
      "listen",
      { ...Webhooks.listenOptions, verbose },
      (flags) => execute("webhooks listen", flags, Webhooks.listen(flags))
    ).pipe(Command.withDescription(
      "Run the emulator with one webhook endpoint that delivers to --forward (activation, signed deliveries, retries), print its secret and a line per delivery attempt, until Ctrl-C."
    ))
  ])
)

/**
 * The `lucca` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = root.pipe(Command.withSubcommands([doctor, token, get, list, emulator, webhooks]))

const cli = Command.run(command, { name: "lucca", version })

/**
 * Log lines (the library's warnings: a deprecated endpoint, a failed background refresh)
 * go to standard error, where they do not mix with the JSON of `get` and `list`, and
 * escaped: they may quote a server's headers or texts. Warnings only: the library's
 * per-retry lines are for services, and the command explains its failures itself.
 */
const logger = Layer.merge(
  Logger.replace(
    Logger.defaultLogger,
    Logger.withConsoleError(Logger.map(Logger.stringLogger, Render.printable))
  ),
  Logger.minimumLogLevel(LogLevel.Warning)
)

/**
 * Runs `lucca` with the arguments that follow the command name (`process.argv.slice(2)`)
 * and returns its exit code: failures are already rendered on standard error, usage
 * errors by `@effect/cli`; log lines go to standard error, escaped. An interruption
 * (Ctrl-C) is not caught.
 *
 * @example
 * ```ts
 * import { LuccaCli } from "@effect-lucca/cli"
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import { Effect } from "effect"
 *
 * // the arguments after the command name: here, the help of `lucca doctor`
 * LuccaCli.run(["doctor", "--help"]).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => process.exitCode = code)),
 *   Effect.provide([NodeContext.layer, NodeLucca.layerHttpClient]),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  args: ReadonlyArray<string>
): Effect.Effect<number, never, CliApp.CliApp.Environment | HttpClient.HttpClient> =>
  cli(["node", "lucca", ...args]).pipe(
    Effect.provide(logger),
    Effect.as(Render.ExitCode.Ok as number),
    Effect.catchAll((error) =>
      Effect.succeed(
        error instanceof Render.Exit
          ? error.code
          : ValidationError.isValidationError(error)
          ? ValidationError.isHelpRequested(error) ? Render.ExitCode.Ok : Render.ExitCode.Usage
          : Render.ExitCode.Internal
      )
    )
  )
