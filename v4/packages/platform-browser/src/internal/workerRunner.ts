import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import { WorkerError, WorkerReceiveError } from "effect/workers/WorkerError"
import * as WorkerRunner from "effect/workers/WorkerRunner"

/** What a message can be posted to and received from: a worker's `self` or a `MessagePort`. */
interface Endpoint {
  readonly postMessage: (message: unknown, transfer: Array<Transferable>) => void
  readonly addEventListener: (type: "message" | "messageerror", listener: (event: MessageEvent) => void) => void
  readonly removeEventListener: (type: "message" | "messageerror", listener: (event: MessageEvent) => void) => void
  readonly start?: () => void
  readonly close?: () => void
}

interface SharedScope {
  onconnect: ((event: MessageEvent) => void) | null
  close(): void
}

const sharedScope = (): SharedScope | undefined =>
  typeof self !== "undefined" && "onconnect" in self ? self as unknown as SharedScope : undefined

// A SharedWorker's first `connect` event may fire before the runner is built (building the
// client may wait on a fetch): its port is kept until then.
const early: Array<MessagePort> = []
const shared = sharedScope()
if (shared !== undefined) {
  shared.onconnect = (event) => {
    early.push(event.ports[0])
  }
}

/**
 * A `WorkerRunnerPlatform` over a dedicated worker's `self`, a shared worker's
 * connections, or one `MessagePort`. Messages are Effect's worker protocol: `[0, data]`
 * to the runner, `[1]` when a page closes its end; `[0]` (ready) and `[1, data]` back.
 * A dedicated worker (or a port) stops when its page closes it; a shared worker when its
 * last page does.
 *
 * @internal
 */
export const make = (port?: MessagePort): WorkerRunner.WorkerRunnerPlatform["Service"] =>
  WorkerRunner.WorkerRunnerPlatform.of({
    start: <O, I>() =>
      Effect.gen(function*() {
        const connection = port === undefined ? sharedScope() : undefined
        const single: Endpoint | undefined = port ??
          (connection === undefined ? self as unknown as Endpoint : undefined)
        const ports = new Map<number, Endpoint>()
        const disconnects = yield* Queue.make<number>()
        let nextId = 0

        const sendUnsafe = (portId: number, message: O, transfers?: ReadonlyArray<unknown>) =>
          ports.get(portId)?.postMessage([1, message], [...(transfers ?? [])] as Array<Transferable>)
        const send = (portId: number, message: O, transfers?: ReadonlyArray<unknown>) =>
          Effect.sync(() => sendUnsafe(portId, message, transfers))

        const run = <A, E, R>(
          handler: (portId: number, message: I) => Effect.Effect<A, E, R> | void
        ): Effect.Effect<void, WorkerError, R> =>
          Effect.scopedWith(Effect.fnUntraced(function*(scope) {
            const closed = Deferred.makeUnsafe<void, WorkerError>()
            const track = Fiber.runIn(scope)
            const runFork = Effect.runForkWith(yield* Effect.context<R>())
            const onExit = (exit: Exit.Exit<unknown, unknown>) => {
              if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) {
                runFork(Effect.logError("unhandled error in the Lucca worker", exit.cause))
              }
            }
            const fail = (message: string) => (event: MessageEvent) =>
              Deferred.doneUnsafe(
                closed,
                Exit.fail(new WorkerError({ reason: new WorkerReceiveError({ message, cause: event.data }) }))
              )
            const onMessageError = fail("a message from the page could not be deserialized")

            const connect = (endpoint: Endpoint) => {
              const portId = nextId++
              ports.set(portId, endpoint)
              const onMessage = (event: MessageEvent) => {
                const message = event.data as WorkerRunner.PlatformMessage<I>
                if (message[0] === 0) {
                  const result = handler(portId, message[1])
                  if (Effect.isEffect(result)) {
                    const fiber = runFork(result)
                    fiber.addObserver(onExit)
                    track(fiber)
                  }
                  return
                }
                // the page closed its end
                disconnect()
                if (connection === undefined || ports.size === 0) Deferred.doneUnsafe(closed, Exit.void)
              }
              const disconnect = () => {
                if (!ports.delete(portId)) return
                endpoint.removeEventListener("message", onMessage)
                endpoint.removeEventListener("messageerror", onMessageError)
                if (endpoint !== (self as unknown)) endpoint.close?.()
                Queue.offerUnsafe(disconnects, portId)
              }
              endpoint.addEventListener("message", onMessage)
              endpoint.addEventListener("messageerror", onMessageError)
              endpoint.start?.()
              endpoint.postMessage([0], [])
              return disconnect
            }

            if (single !== undefined) {
              const disconnect = connect(single)
              yield* Scope.addFinalizer(scope, Effect.sync(disconnect))
            } else if (connection !== undefined) {
              const previous = connection.onconnect
              connection.onconnect = (event) => {
                connect(event.ports[0])
              }
              for (const waiting of early.splice(0)) connect(waiting)
              yield* Scope.addFinalizer(
                scope,
                Effect.sync(() => {
                  connection.onconnect = previous
                  for (const endpoint of ports.values()) endpoint.close?.()
                  ports.clear()
                })
              )
            }
            return yield* Deferred.await(closed)
          }))

        return { run, send, sendUnsafe, disconnects }
      })
  })

/**
 * `make` as a layer; on `self` (no `port`), the worker closes itself when the runner
 * stops.
 *
 * @internal
 */
export const layer = (port?: MessagePort): Layer.Layer<WorkerRunner.WorkerRunnerPlatform> =>
  Layer.effect(WorkerRunner.WorkerRunnerPlatform)(
    Effect.as(
      port === undefined && typeof self !== "undefined" && "close" in self
        ? Effect.addFinalizer(() => Effect.sync(() => (self as unknown as { close: () => void }).close()))
        : Effect.void,
      make(port)
    )
  )
