/**
 * The Lucca client in a worker, behind an RPC protocol (`effect/rpc`) carried by the
 * browser's `Worker`, `SharedWorker` or `MessagePort`: the worker holds the `LuccaClient`
 * (its token provider, refresh ahead, 401 recovery, 403 explanation) and answers the
 * page's requests; the page talks to it through `LuccaWorkerClient` and receives response
 * data and typed errors, never the token nor the client secret.
 *
 * This module is the protocol ({@link Rpcs}) and the worker side. In the worker's entry
 * file:
 *
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { Redacted } from "effect"
 *
 * LuccaWorker.launchBrowser(BrowserLucca.layer({
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   scopes: ["employees.readonly"],
 *   accountUrl: "https://example.ilucca.net"
 * }))
 * ```
 *
 * Every message the worker posts goes through the client's `redact` first (one choke
 * point, below the RPC server: answers, failures and defects alike). Failures cross the
 * boundary as the core's `Schema.TaggedError` classes (`Forbidden`, `Unauthorized`,
 * `ApiError`, ...) plus {@link TransportError} and {@link SetupError}, so the page can
 * match on `_tag` and read their fields and messages.
 *
 * @see https://html.spec.whatwg.org/multipage/workers.html
 * @see https://html.spec.whatwg.org/multipage/structured-data.html (what can cross)
 * @since 0.1.0
 */
import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcGroup from "effect/rpc/RpcGroup"
import * as RpcServer from "effect/rpc/RpcServer"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import type { WorkerError } from "effect/workers/WorkerError"
import type * as WorkerRunner from "effect/workers/WorkerRunner"
import * as internal from "./internal/runner.js"
import * as internalRunner from "./internal/workerRunner.js"

/**
 * A request to the account API failed before an answer arrived (a network error, a CORS
 * refusal, a body that could not be sent or read). The worker-side equivalent of
 * `HttpClientError`, which cannot cross a worker boundary (it holds the request, whose
 * headers carried the token). `reason` is the `HttpClientError` reason without its
 * `Error` suffix: `Transport`, `Encode`, `InvalidUrl`, `StatusCode`, `Decode`, `EmptyBody`.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 * @since 0.1.0
 * @category errors
 */
export class TransportError
  extends Schema.TaggedError<TransportError>("@effect-lucca/platform-browser/TransportError")("TransportError", {
    method: Schema.String,
    url: Schema.String,
    reason: Schema.String,
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.method} ${this.url} failed (${this.reason}): ${this.description}`
  }
}

/**
 * A `Config.ConfigError` as it crosses a worker boundary: the path of the option (or the
 * `LUCCA_*` variable) it names and its message, or the message of a configuration source
 * that failed. The core's option errors have exactly that shape (a `SchemaError` pointing
 * at one option), so the page gets the same `ConfigError` back.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigErrorEncoded =
  | { readonly _tag: "SchemaError"; readonly path: ReadonlyArray<string>; readonly message: string }
  | { readonly _tag: "SourceError"; readonly message: string }

const ConfigErrorEncoded = Schema.Union([
  Schema.Struct({ _tag: Schema.tag("SchemaError"), path: Schema.Array(Schema.String), message: Schema.String }),
  Schema.Struct({ _tag: Schema.tag("SourceError"), message: Schema.String })
])

const fromConfigError = (error: Config.ConfigError): ConfigErrorEncoded => {
  if (error.cause._tag === "SourceError") return { _tag: "SourceError", message: error.cause.message }
  const { message, path } = internal.firstIssue(error.cause.issue)
  return { _tag: "SchemaError", path, message }
}

const toConfigError = (encoded: ConfigErrorEncoded): Config.ConfigError =>
  encoded._tag === "SourceError"
    // the underlying cause stays in the worker: it may quote anything
    ? new Config.ConfigError(new ConfigProvider.SourceError({ message: encoded.message }))
    : new Config.ConfigError(
      new Schema.SchemaError(
        new SchemaIssue.Pointer(encoded.path, new SchemaIssue.InvalidValue({ message: encoded.message }))
      )
    )

/**
 * `effect`'s `Config.ConfigError`, sent as {@link ConfigErrorEncoded}: decoded on the
 * page, it is a `Config.ConfigError` again, naming the same option with the same message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConfigErrorFromEncoded: Schema.Codec<Config.ConfigError, ConfigErrorEncoded> = ConfigErrorEncoded.pipe(
  Schema.decodeTo(
    Schema.declare((u): u is Config.ConfigError => u instanceof Config.ConfigError, { identifier: "ConfigError" }),
    {
      decode: SchemaGetter.transform(toConfigError),
      encode: SchemaGetter.transform(fromConfigError)
    }
  )
)

/**
 * The worker could not build its `LuccaClient` (for example a `ConfigError` on invalid
 * options, then in `cause`). The page's client is built all the same, and every call it
 * makes fails with this error, so that the page's own `catchTag("SetupError", ...)`
 * handles it where it handles `Forbidden`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SetupError
  extends Schema.TaggedError<SetupError>("@effect-lucca/platform-browser/SetupError")("SetupError", {
    description: Schema.String,
    cause: Schema.optional(ConfigErrorFromEncoded)
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The Lucca client could not be built in the worker: ${this.description}`
  }
}

/**
 * Every failure a request can cross the boundary with: the core's errors, re-used as
 * they are so they arrive typed, and {@link TransportError}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Failure = Schema.Union([
  LuccaError.TokenRequestError,
  LuccaError.OAuthError,
  LuccaError.InvalidTokenResponse,
  LuccaError.Unauthorized,
  LuccaError.Forbidden,
  LuccaError.ApiError,
  LuccaError.ResponseDecodeError,
  LuccaError.ForeignOriginError,
  TransportError
])

/**
 * @since 0.1.0
 * @category models
 */
export type Failure = typeof Failure.Type

/**
 * @since 0.1.0
 * @category guards
 */
export const isFailure = (u: unknown): u is Failure => LuccaError.isLuccaError(u) || u instanceof TransportError

/**
 * What a request of the protocol fails with: a {@link Failure}, or the {@link SetupError}
 * of a worker that could not build its client.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RequestFailure = Schema.Union([Failure, SetupError])

/**
 * Query parameters on the wire: the entries of `UrlParams`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UrlParamsWire = Schema.Array(Schema.Tuple([Schema.String, Schema.String]))

/**
 * A decoded JSON answer: its status, its URL (without the query) and its body, which the
 * page decodes with its own schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonResponse = Schema.Struct({
  status: Schema.Number,
  url: Schema.String,
  body: Schema.Unknown
})

/**
 * One page of a cursor-paginated list.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Page = Schema.Struct({
  status: Schema.Number,
  url: Schema.String,
  items: Schema.Array(Schema.Unknown)
})

/**
 * Sent by each page once it is connected; answered when the worker's `LuccaClient` is
 * built (the first `Ready` builds it), or with a {@link SetupError}. It carries nothing:
 * the worker is configured in the worker, so that no secret passes through the page.
 *
 * @since 0.1.0
 * @category requests
 */
export const Ready = Rpc.make("Ready", { error: SetupError })

/**
 * `GET path?urlParams`, answered with the JSON body.
 *
 * @since 0.1.0
 * @category requests
 */
export const Get = Rpc.make("Get", {
  payload: { path: Schema.String, urlParams: UrlParamsWire },
  success: JsonResponse,
  error: RequestFailure
})

/**
 * `POST`, `PUT`, `PATCH` or `DELETE path?urlParams` with an optional JSON body (already
 * encoded by the page), answered with the JSON body. POST and PATCH are not retried on
 * 408 or 503 unless the worker's client opted in (a second POST may create a second leave).
 *
 * @since 0.1.0
 * @category requests
 */
export const Write = Rpc.make("Write", {
  payload: {
    method: Schema.Literals(["POST", "PUT", "PATCH", "DELETE"]),
    path: Schema.String,
    urlParams: UrlParamsWire,
    body: Schema.optional(Schema.Unknown)
  },
  success: JsonResponse,
  error: RequestFailure
})

/**
 * Every page of a cursor-paginated list, following `links.next.href`, streamed back one
 * message per page. An interrupt from the page side stops the pagination.
 *
 * @since 0.1.0
 * @category requests
 */
export const Paginate = Rpc.make("Paginate", {
  payload: { path: Schema.String, urlParams: UrlParamsWire, limit: Schema.optional(Schema.Number) },
  success: Page,
  error: RequestFailure,
  stream: true
})

/**
 * Every request of the protocol.
 *
 * @since 0.1.0
 * @category requests
 */
export class Rpcs extends RpcGroup.make(Ready, Get, Write, Paginate) {}

/**
 * The worker side on any `WorkerRunnerPlatform`: builds `client` when the first page
 * connects (reporting its failure as a {@link SetupError}) and answers the pages'
 * requests with it. The client is built once per worker: the pages of a `SharedWorker`
 * share one token cache.
 *
 * @example
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { Layer, Redacted } from "effect"
 * import type * as WorkerRunner from "effect/workers/WorkerRunner"
 *
 * // the worker side over any runner platform (layerBrowserRunner in a Web Worker)
 * export const make = (platform: Layer.Layer<WorkerRunner.WorkerRunnerPlatform>) =>
 *   LuccaWorker.layerRunner(BrowserLucca.layer({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   })).pipe(Layer.provide(platform))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRunner = <E, R>(
  client: Layer.Layer<LuccaClient.LuccaClient, E, R>
): Layer.Layer<never, WorkerError, WorkerRunner.WorkerRunnerPlatform | R> =>
  Layer.unwrap(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const context = yield* Effect.context<R>()
    // until the client is built, nothing it holds can be in a message
    let redact: (text: string) => string = (text) => text
    const built = yield* Effect.cached(
      Layer.buildWithScope(client, scope).pipe(
        Effect.provideContext(context),
        Effect.map((services) => Context.get(services, LuccaClient.LuccaClient)),
        Effect.tap((lucca) =>
          Effect.sync(() => {
            redact = lucca.redact
          })
        ),
        Effect.mapError(internal.setupError)
      )
    )
    const withClient = <A, E2>(f: (lucca: LuccaClient.Service) => Effect.Effect<A, E2>) => Effect.flatMap(built, f)
    const handlers = Rpcs.toLayer(Rpcs.of({
      Ready: () => Effect.asVoid(built),
      Get: (request) => withClient((lucca) => internal.get(lucca, request)),
      Write: (request) => withClient((lucca) => internal.write(lucca, request)),
      Paginate: (request) => internal.paginate(built, request)
    }))
    return RpcServer.layer(Rpcs).pipe(
      Layer.provide(handlers),
      Layer.provide(internal.layerRedactingProtocol((text) => redact(text)))
    )
  }))

/**
 * The `WorkerRunnerPlatform` of a dedicated or shared Web Worker (`self`), or of one end
 * of a `MessageChannel` (`port`): what {@link layerRunner} runs on.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBrowserPlatform: (port?: MessagePort) => Layer.Layer<WorkerRunner.WorkerRunnerPlatform> =
  internalRunner.layer

/**
 * {@link layerRunner} in a dedicated or shared Web Worker (or on a `MessagePort`).
 *
 * @example
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // lucca.worker.ts, the worker's entry file: the client secret stays in the worker
 * export const main = () =>
 *   LuccaWorker.layerBrowserRunner(BrowserLucca.layer({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   })).pipe(Layer.launch, Effect.runFork)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBrowserRunner = <E, R>(
  client: Layer.Layer<LuccaClient.LuccaClient, E, R>,
  port?: MessagePort
): Layer.Layer<never, WorkerError, R> => Layer.provide(layerRunner(client), layerBrowserPlatform(port))

/**
 * Runs {@link layerBrowserRunner} in this worker until the worker is closed: the one
 * line of a worker's entry file. A runner that stops on an error logs it.
 *
 * @example
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { Redacted } from "effect"
 *
 * // lucca.worker.ts
 * LuccaWorker.launchBrowser(BrowserLucca.layer({
 *   clientId: "your-client-id",
 *   clientSecret: Redacted.make("your-client-secret"),
 *   scopes: ["employees.readonly"],
 *   accountUrl: "https://example.ilucca.net"
 * }))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const launchBrowser = <E>(client: Layer.Layer<LuccaClient.LuccaClient, E>): Fiber.Fiber<never, WorkerError> =>
  Layer.launch(layerBrowserRunner(client)).pipe(
    Effect.tapCause((cause) => Effect.logError("the Lucca worker stopped", cause)),
    Effect.runFork
  )
