/**
 * The page side of `LuccaWorker`: a client whose calls run in a worker that holds the
 * `LuccaClient`, over Effect's RPC client (`effect/rpc`) and the browser's workers. The
 * page sends paths, query parameters and JSON bodies; it receives response data and
 * typed errors, never the token nor the client secret. Bodies are decoded on the page,
 * with the page's schemas.
 *
 * ```ts
 * import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
 *
 * const layer = LuccaWorkerClient.layerBrowser(() =>
 *   new Worker(new URL("./lucca.worker.js", import.meta.url), { type: "module" })
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as RpcClient from "effect/rpc/RpcClient"
import type { RpcClientError } from "effect/rpc/RpcClientError"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Worker from "effect/workers/Worker"
import type { WorkerError } from "effect/workers/WorkerError"
import * as internal from "./internal/client.js"
import * as platform from "./internal/workerPlatform.js"
import * as LuccaWorker from "./LuccaWorker.js"

/**
 * What a call can fail with: the failures of the worker's client, a decoding failure of
 * the page's schema (`ResponseDecodeError`), a worker that could not build its client
 * (`SetupError`, with the `ConfigError` in `cause`), or the worker itself (an
 * `RpcClientError`: it could not be loaded, it stopped, or it answered out of protocol).
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientError = LuccaWorker.Failure | LuccaWorker.SetupError | RpcClientError

/**
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = LuccaClient.RequestOptions

/**
 * The request helpers of `LuccaClient.Service`, each run in the worker: `GET`, the writes
 * (the body encoded on the page with its `bodySchema`, when given) and `paginate` (the
 * worker fetches the pages one after the other and streams each as one message; ending
 * the stream early, `Stream.take`, interrupts the worker's pagination). Answers are
 * decoded on the page, with the page's schemas.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET path`, the answer decoded with `schema`. */
  readonly get: <S extends Schema.Top>(
    path: string,
    schema: S,
    options?: RequestOptions
  ) => Effect.Effect<S["Type"], ClientError, S["DecodingServices"]>
  /** `POST path` with a JSON body, the answer decoded with `schema`. */
  readonly post: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: LuccaClient.WriteOptions<B>
  ) => Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"]>
  /** `PUT path` with a JSON body, the answer decoded with `schema`. */
  readonly put: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: LuccaClient.WriteOptions<B>
  ) => Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"]>
  /** `PATCH path` with a JSON body, the answer decoded with `schema`. */
  readonly patch: <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
    path: string,
    schema: S,
    options: LuccaClient.WriteOptions<B>
  ) => Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"]>
  /** `DELETE path`, the answer decoded with `schema` (`Schema.Void` for a 204). */
  readonly del: <S extends Schema.Top>(
    path: string,
    schema: S,
    options?: RequestOptions
  ) => Effect.Effect<S["Type"], ClientError, S["DecodingServices"]>
  /** Every item of a cursor-paginated list, the worker following `links.next.href`. */
  readonly paginate: <S extends Schema.Top>(
    path: string,
    item: S,
    options?: LuccaClient.PaginateOptions
  ) => Stream.Stream<S["Type"], ClientError, S["DecodingServices"]>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LuccaWorkerClient
  extends Context.Service<LuccaWorkerClient, Service>()("@effect-lucca/platform-browser/LuccaWorkerClient")
{}

/** Every call of a client whose worker could not build its `LuccaClient`: `error`, at once. */
const failing = (error: LuccaWorker.SetupError): Service => {
  const fail = () => Effect.fail(error)
  return { get: fail, post: fail, put: fail, patch: fail, del: fail, paginate: () => Stream.fail(error) }
}

/**
 * Spawns the worker (through the `Worker.Spawner` in context), waits until its client is
 * built and returns the page-side client. When the worker cannot build its client (its
 * options are wrong), the worker is closed and the page-side client is returned all the
 * same, every call failing at once with the worker's `LuccaWorker.SetupError` (its `cause`
 * the `ConfigError`): a page handles it with `catchTag("SetupError", ...)` where it
 * handles the other failures of its calls. Fails with an `RpcClientError` (or a
 * `WorkerError`) when the worker itself cannot be run.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  WorkerError | RpcClientError,
  Worker.WorkerPlatform | Worker.Spawner | Scope.Scope
> = Effect.gen(function*() {
  // in a scope of its own, so that a worker whose setup failed is closed at once
  const scope = yield* Scope.fork(yield* Effect.scope, "sequential")
  const connected = yield* Effect.exit(
    Effect.gen(function*() {
      const protocol = yield* Layer.buildWithScope(RpcClient.layerProtocolWorker({ size: 1 }), scope)
      const rpc = yield* RpcClient.make(LuccaWorker.Rpcs).pipe(
        Effect.provideContext(protocol),
        Scope.provide(scope)
      )
      return yield* rpc.Ready().pipe(
        Effect.as(internal.make(rpc)),
        Effect.catchTag("SetupError", (error) =>
          // the worker is of no use: close it, keep its error for every call
          Effect.as(Scope.close(scope, Exit.fail(error)), failing(error)))
      )
    })
  )
  if (Exit.isFailure(connected)) yield* Scope.close(scope, connected)
  return yield* connected
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  LuccaWorkerClient,
  WorkerError | RpcClientError,
  Worker.WorkerPlatform | Worker.Spawner
> = Layer.effect(LuccaWorkerClient)(make)

/**
 * The client over a dedicated or shared Web Worker (or a `MessagePort`) that runs
 * `LuccaWorker.layerBrowserRunner`. `spawn` is called once (again only if the worker dies).
 *
 * @example
 * ```ts
 * import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
 * import { Effect, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // on the page: the worker (see LuccaWorker.launchBrowser) holds the client and the token
 * const Client = LuccaWorkerClient.layerBrowser(() =>
 *   new Worker(new URL("./lucca.worker.js", import.meta.url), { type: "module" })
 * )
 *
 * export const program = LuccaWorkerClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(Client)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBrowser = (
  spawn: (id: number) => globalThis.Worker | SharedWorker | MessagePort
): Layer.Layer<LuccaWorkerClient, WorkerError | RpcClientError> => Layer.provide(layer, platform.layer(spawn))

/**
 * `get` on the `LuccaWorkerClient` in context.
 *
 * @example
 * ```ts
 * import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
 * import { Effect, Schema } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // the answer and the errors cross from the worker; the token never does
 * export const program = LuccaWorkerClient.get("/lucca-api/employees/1001", Employee).pipe(
 *   Effect.catchTag("Forbidden", (error) => Effect.logWarning(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const get = <S extends Schema.Top>(
  path: string,
  schema: S,
  options?: RequestOptions
): Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.get(path, schema, options))

/**
 * `post` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const post = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: LuccaClient.WriteOptions<B>
): Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"] | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.post(path, schema, options))

/**
 * `put` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const put = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: LuccaClient.WriteOptions<B>
): Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"] | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.put(path, schema, options))

/**
 * `patch` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const patch = <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
  path: string,
  schema: S,
  options: LuccaClient.WriteOptions<B>
): Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | B["EncodingServices"] | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.patch(path, schema, options))

/**
 * `del` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const del = <S extends Schema.Top>(
  path: string,
  schema: S,
  options?: RequestOptions
): Effect.Effect<S["Type"], ClientError, S["DecodingServices"] | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.del(path, schema, options))

/**
 * `paginate` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = <S extends Schema.Top>(
  path: string,
  item: S,
  options?: LuccaClient.PaginateOptions
): Stream.Stream<S["Type"], ClientError, S["DecodingServices"] | LuccaWorkerClient> =>
  Stream.unwrap(Effect.map(LuccaWorkerClient, (client) => client.paginate(path, item, options)))
