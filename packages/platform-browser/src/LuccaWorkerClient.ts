/**
 * The page side of `LuccaWorker`: a client whose calls run in a worker that holds the
 * `LuccaClient`. The page sends paths, query parameters and JSON bodies; it receives
 * response data and typed errors, never the token nor the client secret. Bodies are
 * decoded on the page, with the page's schemas.
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
import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as BrowserWorker from "@effect/platform-browser/BrowserWorker"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Worker from "@effect/platform/Worker"
import { WorkerError } from "@effect/platform/WorkerError"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as LuccaWorker from "./LuccaWorker.js"

/**
 * What a call can fail with: the failures of the worker's client, a decoding failure of
 * the page's schema (`ResponseDecodeError`), a worker that could not build its client
 * (`SetupError`, with the `ConfigError` in `cause`), or the worker itself (`WorkerError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientError = LuccaWorker.Failure | LuccaWorker.SetupError | WorkerError

/**
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = LuccaClient.RequestOptions

/**
 * The request helpers of `LuccaClient.Service`, each run in the worker: `GET`, the writes
 * (the body encoded on the page with its `bodySchema`, when given) and `paginate` (the
 * worker fetches the pages one after the other and sends each as one message; ending the
 * stream early, `Stream.take`, interrupts the worker's pagination). Answers are decoded on
 * the page, with the page's schemas.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service extends LuccaClient.Requests<ClientError> {}

/**
 * @since 0.1.0
 * @category tags
 */
export class LuccaWorkerClient
  extends Context.Tag("@effect-lucca/platform-browser/LuccaWorkerClient")<LuccaWorkerClient, Service>()
{}

/** A page-side decoding failure, reported as the core reports one in the worker. */
const decode = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  value: unknown,
  context: { readonly method: string; readonly url: string; readonly status: number }
): Effect.Effect<A, LuccaError.ResponseDecodeError, R> =>
  Effect.mapError(Schema.decodeUnknown(schema)(value), (error) => {
    const { message, path } = LuccaError.describeParseError(error)
    return new LuccaError.ResponseDecodeError({ ...context, path, description: message })
  })

// A reply that does not match the protocol means the page and the worker were built from
// different versions: a failure of the worker, not of the Lucca API.
const protocolError = <E>(error: E | ParseResult.ParseError): E | WorkerError =>
  ParseResult.isParseError(error) ? new WorkerError({ reason: "decode", cause: error }) : error

// The initial message's failure arrives in its wire form, as the cause of the spawn error.
const decodeSetupFailure = Schema.decodeUnknownEither(LuccaWorker.SetupError)

/** Every call of a client whose worker could not build its `LuccaClient`: `error`, at once. */
const failing = (error: LuccaWorker.SetupError): Service => {
  const fail = () => Effect.fail(error)
  return { get: fail, post: fail, put: fail, patch: fail, del: fail, paginate: () => Stream.fail(error) }
}

/** The body as the page sends it: encoded with its schema when there is one. */
const encodeBody = <B, BI, BR>(
  method: string,
  path: string,
  options: { readonly body?: B | undefined; readonly bodySchema?: Schema.Schema<B, BI, BR> | undefined } | undefined
): Effect.Effect<unknown, LuccaWorker.TransportError, BR> =>
  options?.body === undefined || options.bodySchema === undefined
    ? Effect.succeed(options?.body)
    : Effect.mapError(Schema.encode(options.bodySchema)(options.body), (error) => {
      const issue = LuccaError.describeParseError(error)
      return new LuccaWorker.TransportError({
        method,
        url: path,
        reason: "Encode",
        // as the core's `LuccaClient` words it
        description: `the body does not match its schema at ${
          issue.path === "" ? "the root" : issue.path
        }: ${issue.message}`
      })
    })

const wireParams = (input: UrlParams.Input | undefined): ReadonlyArray<readonly [string, string]> =>
  UrlParams.fromInput(input ?? [])

/**
 * Spawns the worker (through the `Worker.Spawner` in context), waits until its client is
 * built and returns the page-side client. When the worker cannot build its client (its
 * options are wrong), the worker is closed and the page-side client is returned all the
 * same, every call failing at once with the worker's `LuccaWorker.SetupError` (its `cause`
 * the `ConfigError`): a page handles it with `catchTag("SetupError", ...)` where it
 * handles the other failures of its calls, instead of a `WorkerError` while its layer is
 * built. Fails with a `WorkerError` when the worker itself cannot be spawned.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, WorkerError, Worker.WorkerManager | Worker.Spawner | Scope.Scope> = Effect
  .gen(function*() {
    // in a scope of its own, so that a worker whose setup failed is closed at once
    const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const spawned = yield* Effect.exit(Scope.extend(
      Worker.makeSerialized<LuccaWorker.Request>({ initialMessage: () => new LuccaWorker.InitialMessage() }),
      scope
    ))
    if (Exit.isFailure(spawned)) {
      yield* Scope.close(scope, spawned)
      const failure = Cause.failureOption(spawned.cause)
      const setup = Option.flatMap(failure, (error) => Option.getRight(decodeSetupFailure(error.cause)))
      if (Option.isSome(setup)) return failing(setup.value)
      return yield* Effect.failCause(spawned.cause)
    }
    const worker = spawned.value
    const get = <A, I, R>(path: string, schema: Schema.Schema<A, I, R>, options?: RequestOptions) =>
      worker.executeEffect(new LuccaWorker.Get({ path, urlParams: wireParams(options?.urlParams) })).pipe(
        Effect.mapError(protocolError),
        Effect.flatMap((response) =>
          decode(schema, response.body, { method: "GET", url: response.url, status: response.status })
        )
      )
    const write = (method: "POST" | "PUT" | "PATCH" | "DELETE") =>
    <A, I, R, B, BI, BR>(
      path: string,
      schema: Schema.Schema<A, I, R>,
      options?: LuccaClient.WriteOptions<B, BI, BR>
    ): Effect.Effect<A, ClientError, R | BR> =>
      encodeBody(method, path, options).pipe(
        Effect.flatMap((body) =>
          worker.executeEffect(
            new LuccaWorker.Write({
              method,
              path,
              urlParams: wireParams(options?.urlParams),
              ...(body === undefined ? {} : { body })
            })
          )
        ),
        Effect.mapError(protocolError),
        Effect.flatMap((response) =>
          decode(schema, response.body, { method, url: response.url, status: response.status })
        )
      )
    const paginate = <A, I, R>(path: string, item: Schema.Schema<A, I, R>, options?: LuccaClient.PaginateOptions) => {
      // the page's items decoded as the core decodes a page: a failure names `items[3].id`
      const page = LuccaClient.Page(item)
      return worker.execute(
        new LuccaWorker.Paginate({
          path,
          urlParams: wireParams(options?.urlParams),
          ...(options?.limit === undefined ? {} : { limit: options.limit })
        })
      ).pipe(
        Stream.mapError(protocolError),
        Stream.mapConcatEffect((answer) =>
          Effect.map(
            decode(page, { items: answer.items }, { method: "GET", url: answer.url, status: answer.status }),
            ({ items }) => items
          )
        )
      )
    }
    const del = <A, I, R>(path: string, schema: Schema.Schema<A, I, R>, options?: RequestOptions) =>
      write("DELETE")<A, I, R, never, never, never>(path, schema, options)
    return { get, post: write("POST"), put: write("PUT"), patch: write("PATCH"), del, paginate }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LuccaWorkerClient, WorkerError, Worker.WorkerManager | Worker.Spawner> = Layer
  .scoped(LuccaWorkerClient, make)

/**
 * The client over a dedicated or shared Web Worker (or a `MessagePort`) that runs
 * `LuccaWorker.layerBrowserRunner`. `spawn` is called once.
 *
 * @example
 * ```ts
 * import { LuccaWorkerClient } from "@effect-lucca/platform-browser"
 * import { Effect, Schema, Stream } from "effect"
 *
 * const Employee = Schema.Struct({ id: Schema.String })
 *
 * // on the page: the worker (see LuccaWorker.layerBrowserRunner) holds the client and the token
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
): Layer.Layer<LuccaWorkerClient, WorkerError> => Layer.provide(layer, BrowserWorker.layer(spawn))

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
export const get = <A, I, R>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options?: RequestOptions
): Effect.Effect<A, ClientError, R | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.get(path, schema, options))

/**
 * `post` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const post = <A, I, R, B = unknown, BI = unknown, BR = never>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options: LuccaClient.WriteOptions<B, BI, BR>
): Effect.Effect<A, ClientError, R | BR | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.post(path, schema, options))

/**
 * `put` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const put = <A, I, R, B = unknown, BI = unknown, BR = never>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options: LuccaClient.WriteOptions<B, BI, BR>
): Effect.Effect<A, ClientError, R | BR | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.put(path, schema, options))

/**
 * `patch` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const patch = <A, I, R, B = unknown, BI = unknown, BR = never>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options: LuccaClient.WriteOptions<B, BI, BR>
): Effect.Effect<A, ClientError, R | BR | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.patch(path, schema, options))

/**
 * `del` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const del = <A, I, R>(
  path: string,
  schema: Schema.Schema<A, I, R>,
  options?: RequestOptions
): Effect.Effect<A, ClientError, R | LuccaWorkerClient> =>
  Effect.flatMap(LuccaWorkerClient, (client) => client.del(path, schema, options))

/**
 * `paginate` on the `LuccaWorkerClient` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = <A, I, R>(
  path: string,
  item: Schema.Schema<A, I, R>,
  options?: LuccaClient.PaginateOptions
): Stream.Stream<A, ClientError, R | LuccaWorkerClient> =>
  Stream.unwrap(Effect.map(LuccaWorkerClient, (client) => client.paginate(path, item, options)))
