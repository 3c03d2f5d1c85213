/**
 * The Lucca client in a worker, behind a Schema-typed protocol built on `@effect/platform`'s
 * `Worker` and `WorkerRunner`: the worker holds the `LuccaClient` (its token provider,
 * refresh ahead, 401 recovery, 403 explanation) and answers requests; the page talks to it
 * through `LuccaWorkerClient` and receives response data and typed errors, never the token
 * nor the client secret.
 *
 * This module is the protocol and the worker side. In the worker's entry file:
 *
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import * as BrowserRuntime from "@effect/platform-browser/BrowserRuntime"
 * import * as BrowserWorkerRunner from "@effect/platform-browser/BrowserWorkerRunner"
 *
 * LuccaWorker.layerBrowserRunner(BrowserLucca.layer(options)).pipe(
 *   BrowserWorkerRunner.launch,
 *   BrowserRuntime.runMain
 * )
 * ```
 *
 * Failures cross the boundary as the core's `Schema.TaggedError` classes (`Forbidden`,
 * `Unauthorized`, `ApiError`, ...) plus {@link TransportError}, so the page can match on
 * `_tag` and read their fields and messages.
 *
 * @see https://html.spec.whatwg.org/multipage/workers.html
 * @see https://html.spec.whatwg.org/multipage/structured-data.html (what can cross)
 * @since 0.1.0
 */
import type * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as BrowserWorkerRunner from "@effect/platform-browser/BrowserWorkerRunner"
import type * as WorkerError from "@effect/platform/WorkerError"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as internal from "./internal/runner.js"

/**
 * A request to the account API failed before an answer arrived (a network error, a CORS
 * refusal, a body that could not be sent or read). The worker-side equivalent of
 * `HttpClientError`, which cannot cross a worker boundary.
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
 * A `ConfigError` as it crosses a worker boundary: its tree of `And` / `Or` and its leaves
 * (`InvalidData`, `MissingData`, `SourceUnavailable`, `Unsupported`) with their path and
 * message.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigErrorEncoded =
  | { readonly _op: "And" | "Or"; readonly left: ConfigErrorEncoded; readonly right: ConfigErrorEncoded }
  | {
    readonly _op: "InvalidData" | "MissingData" | "SourceUnavailable" | "Unsupported"
    readonly path: ReadonlyArray<string>
    readonly message: string
  }

const ConfigErrorEncoded: Schema.Schema<ConfigErrorEncoded> = Schema.Union(
  Schema.Struct({
    _op: Schema.Literal("And", "Or"),
    left: Schema.suspend(() => ConfigErrorEncoded),
    right: Schema.suspend(() => ConfigErrorEncoded)
  }),
  Schema.Struct({
    _op: Schema.Literal("InvalidData", "MissingData", "SourceUnavailable", "Unsupported"),
    path: Schema.Array(Schema.String),
    message: Schema.String
  })
)

const toConfigError = (encoded: ConfigErrorEncoded): ConfigError.ConfigError => {
  switch (encoded._op) {
    case "And":
      return ConfigError.And(toConfigError(encoded.left), toConfigError(encoded.right))
    case "Or":
      return ConfigError.Or(toConfigError(encoded.left), toConfigError(encoded.right))
    case "InvalidData":
      return ConfigError.InvalidData([...encoded.path], encoded.message)
    case "MissingData":
      return ConfigError.MissingData([...encoded.path], encoded.message)
    case "SourceUnavailable":
      // the underlying cause stays in the worker: it may quote anything
      return ConfigError.SourceUnavailable([...encoded.path], encoded.message, Cause.empty)
    case "Unsupported":
      return ConfigError.Unsupported([...encoded.path], encoded.message)
  }
}

const fromConfigError = (error: ConfigError.ConfigError): ConfigErrorEncoded => {
  switch (error._op) {
    case "And":
    case "Or":
      return { _op: error._op, left: fromConfigError(error.left), right: fromConfigError(error.right) }
    default:
      return { _op: error._op, path: error.path, message: error.message }
  }
}

/**
 * `effect`'s `ConfigError`, sent as {@link ConfigErrorEncoded}: decoded on the page, it
 * is a `ConfigError` again (`ConfigError.isConfigError`, its `_op`, `path` and message).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConfigErrorFromEncoded: Schema.Schema<ConfigError.ConfigError, ConfigErrorEncoded> = Schema.transform(
  ConfigErrorEncoded,
  Schema.declare(ConfigError.isConfigError, { identifier: "ConfigError" }),
  { strict: true, decode: toConfigError, encode: fromConfigError }
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
export const Failure = Schema.Union(
  LuccaError.TokenRequestError,
  LuccaError.OAuthError,
  LuccaError.InvalidTokenResponse,
  LuccaError.Unauthorized,
  LuccaError.Forbidden,
  LuccaError.ApiError,
  LuccaError.ResponseDecodeError,
  LuccaError.ForeignOriginError,
  TransportError
)

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
 * Query parameters on the wire: the entries of `UrlParams`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UrlParamsWire = Schema.Array(Schema.Tuple(Schema.String, Schema.String))

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
 * Sent once when the page spawns the worker; answered when the worker's `LuccaClient` is
 * built, or with a {@link SetupError} (which the page's client turns into the failure of
 * every call). It carries nothing: the worker is configured in the
 * worker, so that no secret passes through the page.
 *
 * @since 0.1.0
 * @category requests
 */
export class InitialMessage extends Schema.TaggedRequest<InitialMessage>(
  "@effect-lucca/platform-browser/LuccaWorker/InitialMessage"
)("InitialMessage", { failure: SetupError, success: Schema.Void, payload: {} }) {}

/**
 * `GET path?urlParams`, answered with the JSON body.
 *
 * @since 0.1.0
 * @category requests
 */
export class Get extends Schema.TaggedRequest<Get>("@effect-lucca/platform-browser/LuccaWorker/Get")("Get", {
  failure: Failure,
  success: JsonResponse,
  payload: { path: Schema.String, urlParams: UrlParamsWire }
}) {}

/**
 * `POST`, `PUT`, `PATCH` or `DELETE path?urlParams` with an optional JSON body (already
 * encoded by the page), answered with the JSON body. POST and PATCH are not retried on
 * 408 or 503 unless the worker's client opted in (a second POST may create a second leave).
 *
 * @since 0.1.0
 * @category requests
 */
export class Write extends Schema.TaggedRequest<Write>("@effect-lucca/platform-browser/LuccaWorker/Write")("Write", {
  failure: Failure,
  success: JsonResponse,
  payload: {
    method: Schema.Literal("POST", "PUT", "PATCH", "DELETE"),
    path: Schema.String,
    urlParams: UrlParamsWire,
    body: Schema.optional(Schema.Unknown)
  }
}) {}

/**
 * Every page of a cursor-paginated list, following `links.next.href`, streamed back one
 * message per page. An interrupt from the page side stops the pagination.
 *
 * @since 0.1.0
 * @category requests
 */
export class Paginate
  extends Schema.TaggedRequest<Paginate>("@effect-lucca/platform-browser/LuccaWorker/Paginate")("Paginate", {
    failure: Failure,
    success: Page,
    payload: { path: Schema.String, urlParams: UrlParamsWire, limit: Schema.optional(Schema.Number) }
  })
{}

/**
 * Every request of the protocol.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Request = Schema.Union(InitialMessage, Get, Write, Paginate)

/**
 * @since 0.1.0
 * @category models
 */
export type Request = typeof Request.Type

/**
 * The worker side on any `PlatformRunner`: builds `client` when the first page connects
 * (reporting its failure as a {@link SetupError}) and answers the pages' requests with it.
 * The client is built once per worker: the pages of a `SharedWorker` share one token
 * cache.
 *
 * @example
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { WorkerRunner } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * // the worker side over any PlatformRunner (BrowserWorkerRunner.layer in a Web Worker)
 * export const make = (runner: Layer.Layer<WorkerRunner.PlatformRunner>) =>
 *   LuccaWorker.layerRunner(BrowserLucca.layer({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   })).pipe(Layer.provide(runner))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRunner = <E, R>(
  client: Layer.Layer<LuccaClient.LuccaClient, E, R>
): Layer.Layer<never, WorkerError.WorkerError, WorkerRunner.PlatformRunner | R> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    // Every connection sends an InitialMessage; only the first one builds the client, which
    // lives as long as the runner.
    const scope = yield* Effect.scope
    const context = yield* Effect.context<R>()
    const built = yield* Effect.cached(Effect.provide(Layer.buildWithScope(client, scope), context))
    return WorkerRunner.layerSerialized(Request, {
      InitialMessage: () => Layer.effectContext(Effect.mapError(built, internal.setupError)),
      // every answer to the page goes through the client's `redact` (see internal.serve)
      ...internal.serve({ Get: internal.get, Write: internal.write, Paginate: internal.paginate })
    })
  }))

/**
 * {@link layerRunner} in a dedicated or shared Web Worker (`BrowserWorkerRunner`).
 *
 * @example
 * ```ts
 * import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
 * import { BrowserRuntime, BrowserWorkerRunner } from "@effect/platform-browser"
 * import { Redacted } from "effect"
 *
 * // lucca.worker.ts, the worker's entry file: the client secret stays in the worker
 * export const main = () =>
 *   LuccaWorker.layerBrowserRunner(BrowserLucca.layer({
 *     clientId: "your-client-id",
 *     clientSecret: Redacted.make("your-client-secret"),
 *     scopes: ["employees.readonly"],
 *     accountUrl: "https://example.ilucca.net"
 *   })).pipe(
 *     BrowserWorkerRunner.launch,
 *     BrowserRuntime.runMain
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBrowserRunner = <E, R>(
  client: Layer.Layer<LuccaClient.LuccaClient, E, R>
): Layer.Layer<never, WorkerError.WorkerError, R> => Layer.provide(layerRunner(client), BrowserWorkerRunner.layer)
