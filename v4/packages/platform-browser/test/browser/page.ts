/**
 * The page of the browser suite. It spawns the worker, talks to it through
 * `LuccaWorkerClient`, records every message it receives from it, and reports each
 * scenario's outcome to Node (with `Cause.pretty` on failure).
 */
import { LuccaClient, LuccaError } from "@effect-lucca/core"
import { BrowserLucca, LuccaWorker, LuccaWorkerClient } from "@effect-lucca/platform-browser"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { RpcClientError } from "effect/rpc/RpcClientError"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Outcome, PageApi, PageConfig } from "./protocol.js"

declare global {
  interface Window {
    readonly __config: PageConfig
    lucca: PageApi
  }
}

const config = window.__config
const received: Array<string> = []

const spawn = () => {
  const worker = config.shared === true
    ? new SharedWorker(config.workerUrl, { type: "module", name: "lucca-shared" })
    : new Worker(config.workerUrl, { type: "module", name: "lucca" })
  const port = worker instanceof SharedWorker ? worker.port : worker
  // Registered before the client's own listener: sees every message the page gets.
  port.addEventListener("message", (event) => received.push(JSON.stringify((event as MessageEvent).data)))
  port.addEventListener("messageerror", () => received.push("<messageerror>"))
  return worker
}

const runtime = ManagedRuntime.make(LuccaWorkerClient.layerBrowser(spawn))

// Class names do not survive bundling (esbuild renames to avoid clashes): name the class
// an error is an instance of, which is what "typed on the page" means.
const classes: ReadonlyArray<readonly [string, abstract new(...args: any) => unknown]> = [
  ["Forbidden", LuccaError.Forbidden],
  ["Unauthorized", LuccaError.Unauthorized],
  ["ApiError", LuccaError.ApiError],
  ["ResponseDecodeError", LuccaError.ResponseDecodeError],
  ["OAuthError", LuccaError.OAuthError],
  ["TokenRequestError", LuccaError.TokenRequestError],
  ["SetupError", LuccaWorker.SetupError],
  ["TransportError", LuccaWorker.TransportError],
  ["ConfigError", Config.ConfigError],
  ["RpcClientError", RpcClientError]
]

const fieldsOf = (error: unknown): Record<string, unknown> | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  let fields: Record<string, unknown>
  try {
    fields = JSON.parse(JSON.stringify(error))
  } catch {
    fields = {}
  }
  // a ConfigError's issue: the option it names
  if (error instanceof Config.ConfigError && error.cause._tag === "SchemaError") {
    const issue = error.cause.issue
    fields.path = issue._tag === "Pointer" ? issue.path : undefined
  }
  return fields
}

const report = <A, E>(exit: Exit.Exit<A, E>): Outcome<A> => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const error = Option.getOrUndefined(Cause.findErrorOption(exit.cause))
  return {
    _tag: "Failure",
    error: fieldsOf(error),
    errorClass: classes.find(([, constructor]) => error instanceof constructor)?.[0],
    message: error instanceof Error || error instanceof Config.ConfigError ? error.message : undefined,
    pretty: Cause.pretty(exit.cause)
  }
}

const run = <A, E>(effect: Effect.Effect<A, E, LuccaWorkerClient.LuccaWorkerClient>) =>
  runtime.runPromiseExit(effect).then(report)

window.lucca = {
  get: (path, urlParams) => run(LuccaWorkerClient.get(path, Schema.Unknown, { urlParams })),
  paginate: (path, limit) =>
    run(
      LuccaWorkerClient.paginate(path, Schema.Struct({ id: Schema.String }), { limit }).pipe(
        Stream.runCollect,
        Effect.map((items) => ({ count: items.length, ids: items.map((e) => e.id) }))
      )
    ),
  post: (path, body) => run(LuccaWorkerClient.post(path, Schema.Unknown, { body })),
  mainThreadClient: (dangerouslyAllowBrowser) => {
    const guard = config.guard!
    const layer = BrowserLucca.layer({
      clientId: guard.clientId,
      clientSecret: Redacted.make(guard.clientSecret),
      scopes: guard.scopes,
      accountUrl: guard.accountUrl,
      tokenUrl: guard.tokenUrl,
      rateLimit: false,
      dangerouslyAllowBrowser
    })
    const program = LuccaClient.get("/lucca-api/employees", Schema.Struct({ items: Schema.Array(Schema.Unknown) }))
      .pipe(
        Effect.map((page) => ({ count: page.items.length, isMainThread: BrowserLucca.isBrowserMainThread() })),
        Effect.provide(layer)
      )
    return Effect.runPromiseExit(program).then(report)
  },
  catchSetup: () =>
    run(
      LuccaWorkerClient.get("/lucca-api/employees", Schema.Unknown).pipe(
        Effect.as({ caught: "nothing", isConfigError: false, configPath: undefined, message: "" }),
        Effect.catchTag("SetupError", (error) =>
          Effect.succeed({
            caught: error._tag,
            isConfigError: error.cause instanceof Config.ConfigError,
            configPath: error.cause?.cause._tag === "SchemaError" && error.cause.cause.issue._tag === "Pointer"
              ? error.cause.cause.issue.path.map(String)
              : undefined,
            message: error.message
          }))
      )
    ),
  received: () => [...received]
}
