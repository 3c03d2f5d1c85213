import { LuccaCli } from "@effect-lucca/cli"
import { LuccaWebhooks } from "@effect-lucca/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import { spawnLucca } from "./utils.js"

describe("lucca webhooks listen", () => {
  it.live(
    "forwards the emulator's deliveries to a local receiver, which verifies them",
    () =>
      Effect.gen(function*() {
        // the receiver learns its secret from the command's output
        const secret = yield* Deferred.make<Redacted.Redacted<string>>()
        const handled = yield* Queue.unbounded<LuccaWebhooks.Event>()
        const app = yield* LuccaWebhooks.receiver({
          secret: Deferred.await(secret),
          handler: (event) => Queue.offer(handled, event)
        })
        const http = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
        yield* http.serve(app)
        const forward = `http://127.0.0.1:${(http.address as { readonly port: number }).port}/webhooks/lucca`
        let raised = false
        const listening = yield* Effect.forkChild(
          spawnLucca(["webhooks", "listen", "--forward", forward], {}, (stdout, child) => {
            const exported = /^export LUCCA_WEBHOOK_SECRET=(\S+)$/m.exec(stdout)
            if (exported !== null) Deferred.doneUnsafe(secret, Exit.succeed(Redacted.make(exported[1])))
            if (!raised && stdout.includes("activated:")) {
              raised = true
              const accountUrl = /^account URL:\s+(\S+)/m.exec(stdout)![1]
              void fetch(`${accountUrl}/fake-lucca/events`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ topic: "employee.updated", id: "1001" })
              })
            }
            if (/ -> 202/.test(stdout)) child.kill("SIGINT")
          })
        )
        const event = yield* Queue.take(handled)
        assert.strictEqual(event.topic, "employee.updated")
        assert.strictEqual(event.data.id, "1001")
        const outcome = yield* Fiber.join(listening)
        assert.match(outcome.stdout, /^activated: /m)
        assert.match(outcome.stdout, new RegExp(`employee\\.updated event ${event.id} -> 202$`, "m"))
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Interrupted, outcome.stderr)
      }),
    { timeout: 60_000 }
  )

  it.live("refuses a --forward that is not an http(s) URL, with exit code 2", () =>
    Effect.gen(function*() {
      const outcome = yield* spawnLucca(["webhooks", "listen", "--forward", "ftp://127.0.0.1/hook"], {})
      assert.strictEqual(outcome.code, LuccaCli.ExitCode.Usage)
      assert.include(outcome.stderr, "--forward must be an http:// or https:// URL")
    }), { timeout: 60_000 })
})
