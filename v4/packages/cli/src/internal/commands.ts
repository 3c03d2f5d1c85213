/**
 * The handlers of `token`, `get`, `list` and `emulator`.
 */
import { ClientCredentials, LuccaClient, TokenProvider } from "@effect-lucca/core"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Otlp from "./otlp.js"
import * as Progress from "./progress.js"
import * as Render from "./render.js"
import * as Settings from "./settings.js"

/** `lucca token`. */
export const token = (
  flags: Settings.Flags,
  options: { readonly print: boolean; readonly json: boolean }
) =>
  Effect.gen(function*() {
    const credentials = yield* Settings.readCredentials(flags)
    yield* Otlp.redactWith(TokenProvider.makeStatic(credentials.clientSecret).redact)
    const issued = yield* ClientCredentials.requestToken(credentials)
    yield* Otlp.redactWith(TokenProvider.makeStatic(issued).redact)
    const expiresAt = new Date(issued.expiresAt).toISOString()
    const expiresIn = Math.round((issued.expiresAt - issued.issuedAt) / 1000)
    if (options.json) {
      // RFC 6749 §5.1 names, plus the absolute expiry a script needs
      return yield* Console.log(Render.json({
        ...(options.print ? { access_token: Redacted.value(issued.value) } : {}),
        token_type: issued.tokenType,
        expires_in: expiresIn,
        expires_at: expiresAt,
        scope: issued.scopes.join(" ")
      }))
    }
    // the scopes are the token endpoint's text
    const about = `expires at ${expiresAt} (in ${Duration.format(issued.lifetime)}); scopes: ${
      Render.printable(issued.scopes.join(" ")) || "none"
    }`
    if (options.print) {
      yield* Console.log(Redacted.value(issued.value))
      return yield* Console.error(`Token for ${credentials.clientId}: ${about}`)
    }
    yield* Console.error(`A token was issued to ${credentials.clientId}: ${about}.`)
    yield* Console.error("It is not shown: pass --print to write it to standard output.")
  })

const checkPath = (path: string) =>
  path.startsWith("/") || /^https?:\/\//.test(path)
    ? Effect.succeed(path)
    : Effect.fail(
      new Render.UsageError({
        message: `PATH must be a path of the account API, got '${path}'.`,
        fix: "Give a path such as /lucca-api/employees."
      })
    )

const parseFilters = (filters: ReadonlyArray<string>) =>
  Effect.forEach(filters, (filter) => {
    const at = filter.indexOf("=")
    return at <= 0
      ? Effect.fail(
        new Render.UsageError({
          message: `--filter must be key=value, got '${filter}'.`,
          fix: "Write filters as --filter status=active (repeat --filter for several)."
        })
      )
      : Effect.succeed([filter.slice(0, at), filter.slice(at + 1)] as const)
  })

/**
 * A person waits at the terminal: transient token failures are retried for 5 s, not the
 * library's default budget (a script can run the command again).
 */
const tokenRetryBudget = Duration.seconds(5)

const client = (flags: Settings.Flags, transformClient?: LuccaClient.ClientOptions["transformClient"]) =>
  Effect.flatMap(
    Settings.read(flags),
    (settings) =>
      LuccaClient.make({
        ...settings,
        tokenRetry: { budget: tokenRetryBudget },
        ...(transformClient === undefined ? {} : { transformClient })
      })
  ).pipe(Effect.tap((lucca) => Otlp.redactWith(lucca.redact)))

/** `lucca get PATH`: the JSON answer, indented, on standard output. */
export const get = (flags: Settings.Flags, path: string) =>
  Effect.gen(function*() {
    const target = yield* checkPath(path)
    const lucca = yield* client(flags)
    const body = yield* lucca.get(target, Schema.Unknown)
    yield* Console.log(Render.json(body, 2))
  }).pipe(Effect.scoped)

/** The largest page Lucca serves on most endpoints. */
const maxPageSize = 100

/**
 * `lucca list PATH`: one JSON line per item, following the cursors, paced by the client;
 * a progress line on standard error when `progress` writes somewhere.
 */
export const list = (
  flags: Settings.Flags,
  path: string,
  options: {
    readonly limit: Option.Option<number>
    readonly pageSize: Option.Option<number>
    readonly filters: ReadonlyArray<string>
    readonly progress: ((text: string) => void) | undefined
  }
) =>
  Effect.gen(function*() {
    const target = yield* checkPath(path)
    const filters = yield* parseFilters(options.filters)
    if (Option.isSome(options.limit) && options.limit.value < 1) {
      return yield* new Render.UsageError({
        message: `--limit must be at least 1, got ${options.limit.value}.`,
        fix: "Leave --limit out to list everything."
      })
    }
    if (Option.isSome(options.pageSize) && (options.pageSize.value < 1 || options.pageSize.value > maxPageSize)) {
      return yield* new Render.UsageError({
        message: `--page-size must be between 1 and ${maxPageSize}, got ${options.pageSize.value}.`,
        fix: "Leave --page-size out to read pages of 100 items."
      })
    }
    const counters: Progress.Counters = {
      items: 0,
      pages: 0,
      inFlight: 0,
      lastPageAt: yield* Clock.currentTimeMillis
    }
    // below pacing: a request seen here has its budget
    const counting = (http: HttpClient.HttpClient.With<LuccaClient.RequestError>) =>
      HttpClient.transformResponse(http, (response) =>
        Effect.suspend(() => {
          counters.inFlight++
          return response.pipe(Effect.ensuring(Effect.map(Clock.currentTimeMillis, (now) => {
            counters.inFlight--
            counters.pages++
            counters.lastPageAt = now
          })))
        }))
    const lucca = yield* client(flags, counting)
    const pageSize = Option.getOrElse(
      options.pageSize,
      () => Math.min(maxPageSize, Option.getOrElse(options.limit, () => maxPageSize))
    )
    const items = lucca.paginate(target, Schema.Unknown, { limit: pageSize, urlParams: filters }).pipe(
      Option.match(options.limit, { onNone: () => (s) => s, onSome: (n) => Stream.take(n) }),
      Stream.runForEach((item) =>
        Effect.andThen(
          Effect.sync(() => counters.items++),
          Console.log(Render.json(item))
        )
      )
    )
    yield* options.progress === undefined ? items : Progress.around(counters, options.progress, items)
  }).pipe(Effect.scoped)

/** The scopes `lucca emulator` suggests: a read-only set that `doctor` checks in a few seconds. */
export const emulatorScopes: ReadonlyArray<string> = [
  "legal-entities.readonly",
  "business-establishments.readonly",
  "departments.readonly",
  "employees.readonly"
]

const shellQuote = (value: string) => /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`

/** `lucca emulator`: the emulator on loopback, and the settings to use it, until Ctrl-C. */
export const emulator = (options: {
  readonly port: number
  readonly host: string
  readonly seed: string
  readonly scopes: Option.Option<string>
  readonly tokenLifetime: number
  readonly rateLimit: boolean
}) =>
  Effect.gen(function*() {
    const server = yield* FakeLuccaServer.FakeLuccaServer
    const fake = yield* FakeLucca.FakeLucca
    const applications = yield* fake.applications
    const account = server.accounts[0]
    // the emulator declares one application per account at start
    const application = applications.find((a) => a.account === account.name)!
    const scopes = Option.getOrElse(options.scopes, () => emulatorScopes.join(" "))
    // the same labels as `fake-lucca`
    const lines = [
      "Lucca emulator listening (Ctrl-C to stop)",
      "",
      `token URL:     ${server.tokenUrl}`,
      `account URL:   ${account.url}   (account "${account.name}")`,
      `client id:     ${application.clientId}`,
      // the emulator's own, published default secret: printing it is the point
      `client secret: ${Redacted.value(application.clientSecret)}`,
      `scopes:        every scope of Lucca's API (${FakeLucca.allScopes.length})`,
      `rate limit:    ${
        options.rateLimit ? `${FakeLucca.luccaRateLimit.requests} requests per 1m per account` : "off"
      }`,
      `token life:    ${options.tokenLifetime} s`,
      "",
      "Try the other commands from another terminal:",
      "",
      `export LUCCA_TOKEN_URL=${shellQuote(server.tokenUrl)}`,
      `export LUCCA_ACCOUNT_URL=${shellQuote(account.url)}`,
      `export LUCCA_CLIENT_ID=${shellQuote(application.clientId)}`,
      `export LUCCA_CLIENT_SECRET=${shellQuote(Redacted.value(application.clientSecret))}`,
      `export LUCCA_SCOPES=${shellQuote(scopes)}`,
      "lucca doctor",
      "lucca list /lucca-api/employees --limit 10",
      ""
    ]
    yield* Console.log(lines.join("\n"))
    return yield* Effect.never
  }).pipe(
    Effect.provide(FakeLuccaServer.layerFake({
      port: options.port,
      host: options.host,
      fake: {
        seed: options.seed,
        rateLimit: options.rateLimit ? FakeLucca.luccaRateLimit : false,
        tokenLifetime: Duration.seconds(options.tokenLifetime)
      }
    }))
  )
