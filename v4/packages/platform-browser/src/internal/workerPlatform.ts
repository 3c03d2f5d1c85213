import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Worker from "effect/workers/Worker"
import { WorkerError, WorkerReceiveError } from "effect/workers/WorkerError"

/** What the page spawns: a dedicated worker, a shared worker, or one end of a channel. */
export type Spawned = globalThis.Worker | SharedWorker | MessagePort

/**
 * The page side of Effect's worker protocol over the browser's workers: messages go to
 * the worker (or the shared worker's port); closing the scope tells the worker with `[1]`,
 * which then closes itself (a shared worker: when its last page has).
 *
 * @internal
 */
export const layerPlatform: Layer.Layer<Worker.WorkerPlatform> = Layer.succeed(Worker.WorkerPlatform)(
  Worker.makePlatform<Spawned>()({
    setup: ({ scope, worker }) => {
      if (!("port" in worker)) {
        return Effect.as(Scope.addFinalizer(scope, Effect.sync(() => worker.postMessage([1]))), worker)
      }
      // a shared worker reports a script that fails to load on itself, not on its port:
      // forward it, so that the page's calls fail instead of waiting for the worker
      const port = worker.port
      const forward = (event: Event) =>
        port.dispatchEvent(new ErrorEvent("error", { message: "message" in event ? String(event.message) : "" }))
      worker.addEventListener("error", forward)
      return Effect.as(
        Scope.addFinalizer(
          scope,
          Effect.sync(() => {
            worker.removeEventListener("error", forward)
            port.postMessage([1])
          })
        ),
        port
      )
    },
    listen: ({ deferred, emit, port, scope }) => {
      const onMessage = (event: Event) => emit((event as MessageEvent).data)
      const fail = (message: string) => (event: Event) =>
        Deferred.doneUnsafe(
          deferred,
          Exit.fail(
            new WorkerError({
              reason: new WorkerReceiveError({
                message,
                // an ErrorEvent (the script failed to load or threw) says which
                cause: "message" in event ? (event as ErrorEvent).message : undefined
              })
            })
          )
        )
      const onError = fail("the worker failed (its script could not be loaded, or it threw)")
      const onMessageError = fail("a message from the worker could not be deserialized")
      port.addEventListener("message", onMessage)
      port.addEventListener("messageerror", onMessageError)
      port.addEventListener("error", onError)
      if ("start" in port) port.start()
      return Scope.addFinalizer(
        scope,
        Effect.sync(() => {
          port.removeEventListener("message", onMessage)
          port.removeEventListener("messageerror", onMessageError)
          port.removeEventListener("error", onError)
        })
      )
    }
  })
)

/** @internal */
export const layer = (spawn: (id: number) => Spawned): Layer.Layer<Worker.WorkerPlatform | Worker.Spawner> =>
  Layer.merge(layerPlatform, Worker.layerSpawner(spawn))
