/**
 * The `lucca` command: `doctor`, `token`, `get`, `list`, `emulator` and `webhooks listen`,
 * built with Effect 4's `effect/cli`. `bin.ts` runs it on Node; tests run it in process
 * with {@link run}.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Argument from "effect/cli/Argument"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliError from "effect/cli/CliError"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
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

// a plain string, not `Flag.File`: the parser would `stat` the path through a symbolic
// link, and the trace file's checks (`Otlp.traceTo`) must be the only ones
const trace = Flag.String("trace").pipe(
  Flag.withMetavar("file"),
  Flag.withDescription("Write the command's spans to this file as OTLP JSON"),
  Flag.optional
)

const verbose = Flag.Boolean("verbose").pipe(
  Flag.withAlias("v"),
  Flag.withDescription("On failure, also print the details of the error"),
  Flag.withDefault(false)
)

const root = Command.make("lucca").pipe(
  Command.withSharedFlags({ trace }),
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
    onNone: (): Effect.Effect<string | undefined> =>
      Effect.orElseSucceed(Config.String("LUCCA_ACCOUNT_URL"), () => undefined)
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
    return Effect.catchCause(traced, (cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const failure = Cause.findErrorOption(cause)
      if (Option.isSome(failure) && failure.value instanceof Render.Exit) return Effect.fail(failure.value)
      return Effect.flatMap(accountOrigin(options.accountUrl ?? Option.none()), (account) => {
        const rendered = Render.renderCause(cause, account)
        return Effect.andThen(
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
  print: Flag.Boolean("print").pipe(
    Flag.withDescription("Write the token to standard output"),
    Flag.withDefault(false)
  ),
  json: Flag.Boolean("json").pipe(
    Flag.withDescription("Write the answer as one JSON object (with access_token only with --print)"),
    Flag.withDefault(false)
  )
}, (flags) => execute("token", flags, Commands.token(flags, flags))).pipe(Command.withDescription(
  "Request a token with the client credentials. It is shown only with --print, on standard output; its expiry goes to standard error."
))

const path = Argument.String("PATH").pipe(
  Argument.withDescription("A path of the account API, such as /lucca-api/employees")
)

const get = Command.make(
  "get",
  { ...connection, path },
  (flags) => execute("get", flags, Commands.get(flags, flags.path))
).pipe(Command.withDescription("GET a resource of the account API and print its JSON on standard output."))

const list = Command.make("list", {
  ...connection,
  path,
  limit: Flag.Int("limit").pipe(
    Flag.withDescription("Stop after this many items (default: every item)"),
    Flag.optional
  ),
  pageSize: Flag.Int("page-size").pipe(
    Flag.withDescription("Items per request, 1 to 100 (default: 100, or --limit when smaller)"),
    Flag.optional
  ),
  filter: Flag.String("filter").pipe(
    Flag.withDescription("A query parameter key=value, such as status=active; repeat for several"),
    Flag.atLeast(0)
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
  port: Flag.Int("port").pipe(
    Flag.withDescription("The port to listen on (default 0: a free port)"),
    Flag.withDefault(0)
  ),
  host: Flag.String("host").pipe(
    Flag.withDescription("The address to bind (default 127.0.0.1)"),
    Flag.withDefault("127.0.0.1")
  ),
  seed: Flag.String("seed").pipe(Flag.withDescription("The seed of the data set (default 42)"), Flag.withDefault("42")),
  scopes: Flag.String("scopes").pipe(
    Flag.withDescription("The scopes to print in the LUCCA_SCOPES line (the application has them all)"),
    Flag.optional
  ),
  tokenLifetime: Flag.Int("token-lifetime").pipe(
    Flag.withDescription("The lifetime of the tokens, in seconds (default 1800)"),
    Flag.withDefault(1800)
  ),
  // `--no-rate-limit` is the negation of this flag
  rateLimit: Flag.Boolean("rate-limit").pipe(
    Flag.withDescription("Emulate Lucca's limit of 50 requests a minute per account (--no-rate-limit: off)"),
    Flag.withDefault(true)
  ),
  verbose
}, (flags) => execute("emulator", flags, Commands.emulator(flags))).pipe(Command.withDescription(
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

/**
 * `--version` without the `-v` alias `effect/cli` gives it: `-v` is `--verbose`, as in
 * the Effect 3 line.
 */
const versionFlag = GlobalFlag.Action({
  flag: Flag.Boolean("version").pipe(Flag.withDescription("Show version information"), Flag.withDefault(false)),
  run: GlobalFlag.Version.run
})

const builtIns = GlobalFlag.BuiltIns.map((flag) => flag === GlobalFlag.Version ? versionFlag : flag)

const cli = Command.runWith(command, { version })

/**
 * Log lines (the library's warnings: a deprecated endpoint, a failed background refresh)
 * go to standard error, where they do not mix with the JSON of `get` and `list`, and
 * escaped: they may quote a server's headers or texts. Warnings only: the library's
 * per-retry lines are for services, and the command explains its failures itself
 * (`--log-level` still lowers the threshold).
 */
const logger = Logger.layer([Logger.withConsoleError(Logger.map(Logger.formatSimple, Render.printable))])

/** The exit code of what `effect/cli` or a command failed with, already rendered. */
const exitCodeOf = (error: unknown): number =>
  error instanceof Render.Exit
    ? error.code
    : CliError.isCliError(error)
    ? error._tag === "ShowHelp" && error.errors.length === 0 ? Render.ExitCode.Ok : Render.ExitCode.Usage
    : Render.ExitCode.Internal

/**
 * Runs `lucca` with the arguments that follow the command name (`process.argv.slice(2)`)
 * and returns its exit code: failures are already rendered on standard error, usage
 * errors by `effect/cli`; log lines go to standard error, escaped. An interruption
 * (Ctrl-C) is not caught.
 *
 * @example
 * ```ts
 * import { LuccaCli } from "@effect-lucca/cli"
 * import { NodeLucca } from "@effect-lucca/platform-node"
 * import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
 * import * as NodeServices from "@effect/platform-node/NodeServices"
 * import { Effect } from "effect"
 *
 * // the arguments after the command name: here, the help of `lucca doctor`
 * LuccaCli.run(["doctor", "--help"]).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => process.exitCode = code)),
 *   Effect.provide([NodeServices.layer, NodeLucca.layerHttpClient]),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  args: ReadonlyArray<string>
): Effect.Effect<number, never, Command.Environment | HttpClient.HttpClient> =>
  cli(args).pipe(
    Effect.provideService(CliConfig.CliConfig, CliConfig.make({ builtIns })),
    Effect.provide(logger),
    Effect.provideService(References.MinimumLogLevel, "Warn"),
    Effect.as(Render.ExitCode.Ok as number),
    Effect.catch((error) => Effect.succeed(exitCodeOf(error)))
  )
