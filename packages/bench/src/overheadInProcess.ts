/**
 * The cost `LuccaClient` adds over a bare `HttpClient`, without sockets: both clients over
 * one instant `HttpClient` (a canned 200), in alternating rounds in one process, at a
 * given concurrency. What is left is the client's own work per request, which the
 * overhead scenario sees mixed with the emulator's and the network's. Run it on the built
 * packages, under `--cpu-prof` to see where the time goes:
 *
 *   EFFECT_LUCCA_BENCH_PACKAGES=core node --import tsx --import ./src/registerBuilt.mjs [--cpu-prof] \
 *     src/overheadInProcess.ts [concurrency] [rounds]
 *
 * @since 0.0.0
 */
import { LuccaClient, TokenProvider } from "@effect-lucca/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"

const concurrency = Number(process.argv[2] ?? 32)
const rounds = Number(process.argv[3] ?? 12)
const perRound = 5_000

const accountUrl = "https://example.ilucca.net"
const body = JSON.stringify({ id: 1, name: "Lucca" })

// one canned answer per request, as a connection pool that answers at once would give it
const instant = HttpClient.make((request) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(body, { status: 200, headers: { "content-type": "application/json" } })
    )
  )
)

const bare = instant.pipe(
  HttpClient.mapRequest(HttpClientRequest.prependUrl(accountUrl)),
  HttpClient.mapRequest(HttpClientRequest.setHeaders({ "api-version": "2024-11-01", accept: "application/json" })),
  HttpClient.mapRequest(HttpClientRequest.bearerToken("a-static-token"))
)

const program = Effect.gen(function*() {
  const lucca = yield* LuccaClient.make({
    accountUrl,
    tokenProvider: TokenProvider.makeStatic("a-static-token"),
    rateLimit: false
  }).pipe(Effect.provideService(HttpClient.HttpClient, instant))
  const batch = (client: HttpClient.HttpClient.With<unknown>) =>
    Effect.forEach(
      Array.from({ length: perRound }),
      () => Effect.flatMap(client.get("/lucca-api/legal-entities/1"), (response) => response.text),
      { concurrency, discard: true }
    )
  // CPU time of the process per request: less moved than wall time by the other tenants of a shared machine
  const time = (client: HttpClient.HttpClient.With<unknown>) =>
    Effect.suspend(() => {
      const start = process.cpuUsage()
      return Effect.map(batch(client), () => {
        const used = process.cpuUsage(start)
        return (used.user + used.system) / perRound
      })
    })
  yield* batch(lucca.httpClient)
  yield* batch(bare)
  const extra: Array<number> = []
  for (let i = 0; i < rounds; i++) {
    const [l, b] = i % 2 === 0
      ? yield* Effect.all([time(lucca.httpClient), time(bare)])
      : (yield* Effect.all([time(bare), time(lucca.httpClient)])).reverse()
    extra.push(l - b)
    process.stderr.write(`round ${i + 1}: LuccaClient ${l.toFixed(2)} µs CPU/req, bare ${b.toFixed(2)} µs CPU/req\n`)
  }
  extra.sort((a, b) => a - b)
  process.stdout.write(
    `concurrency ${concurrency}: LuccaClient costs ${
      extra[Math.floor(extra.length / 2)]!.toFixed(2)
    } µs more CPU per request (median of ${rounds} rounds of ${perRound})\n`
  )
})

Effect.runPromise(program)
