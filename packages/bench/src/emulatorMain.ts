/**
 * Entry point of the emulator process (see `Emulator.start`): serves `FakeLuccaServer`
 * on 127.0.0.1, answers control commands on a second loopback port, reports its
 * addresses to the parent over IPC, and exits when the parent goes away or asks.
 *
 * @since 0.0.0
 */
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import * as Http from "node:http"
import type * as Emulator from "./Emulator.js"

const run = (fake: FakeLucca.Service, command: Emulator.Command): Effect.Effect<unknown, unknown> => {
  switch (command._tag) {
    case "Reset":
      return Effect.all([
        fake.clearFaults,
        fake.setLatency(Duration.zero),
        fake.setRateLimit(false),
        fake.setTokenLifetime(Duration.minutes(30)),
        fake.revokeTokens(),
        fake.resetStats
      ]).pipe(Effect.as(null))
    case "Stats":
      return fake.stats
    case "SetTokenLifetime":
      return Effect.as(fake.setTokenLifetime(Duration.millis(command.millis)), null)
    case "SetRateLimit":
      return Effect.as(
        fake.setRateLimit({ requests: command.requests, window: Duration.millis(command.windowMillis) }),
        null
      )
    case "DelayTokenRequests":
      return Effect.as(
        fake.injectFault("token", FakeLucca.Fault.Delay({ duration: Duration.millis(command.millis) }), command.times),
        null
      )
    case "LegalEntityId":
      return Effect.map(fake.data(), (data) => data.resources["legal-entities"][0].id)
    case "CpuUsage":
      return Effect.sync(() => process.cpuUsage())
  }
}

const controlServer = (fake: FakeLucca.Service, runtime: Runtime.Runtime<never>) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const command = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Emulator.Command
          Runtime.runPromise(runtime)(run(fake, command)).then(
            (value) => {
              response.writeHead(200, { "content-type": "application/json" })
              response.end(JSON.stringify(value ?? null))
            },
            (error) => {
              response.writeHead(500, { "content-type": "text/plain" })
              response.end(String(error))
            }
          )
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

const main = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  const server = yield* FakeLuccaServer.FakeLuccaServer
  const runtime = yield* Effect.runtime<never>()
  const control = yield* controlServer(fake, runtime)
  const address = control.address() as { readonly port: number }
  const ready: Emulator.Address = {
    url: server.url,
    tokenUrl: server.tokenUrl,
    controlUrl: `http://127.0.0.1:${address.port}/`
  }
  process.send!(ready)
  // bounded by the parent: the process ends when the parent disconnects or exits
  yield* Effect.async<void>((resume) => {
    process.once("disconnect", () => resume(Effect.void))
  })
}).pipe(Effect.scoped, Effect.provide(FakeLuccaServer.layerFake()))

NodeRuntime.runMain(main)
