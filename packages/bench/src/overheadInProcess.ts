/**
 * The cost `LuccaClient` adds over a bare `HttpClient`, without sockets: both clients over
 * one instant `HttpClient` (a canned 200, and a canned token from the token URL, so that
 * `LuccaClient` runs its cached client-credentials provider as in the overhead scenario),
 * in alternating rounds in one process, at a given concurrency. What is left is the client's own work per request, which the
 * overhead scenario sees mixed with the emulator's and the network's. Run it on the built
 * packages, under `--cpu-prof` to see where the time goes:
 *
 *   EFFECT_LUCCA_BENCH_PACKAGES=core node --expose-gc --import tsx --import ./src/registerBuilt.mjs \
 *     [--cpu-prof] src/overheadInProcess.ts [concurrency] [rounds] [aa]
 *
 * It prints the median of the per-round differences and ratios with a 95 % bootstrap
 * interval. `aa` measures the bare client against itself: the interval it prints is the
 * noise floor of the machine at that moment, which a change must clear to be told apart.
 * With `--expose-gc` the heap is collected before each block, so that neither client pays
 * for the garbage of the other, and the bytes each client allocates per request are
 * measured too (heap growth over small blocks that start from a collected heap; run with
 * `--max-semi-space-size=64` so that no scavenge runs inside one): unlike CPU time, that
 * figure does not move with the load of the machine, and a change to the hot path shows in it.
 * With `EFFECT_LUCCA_BENCH_HEAP_PROFILE=<dir>`, a sampling heap profile of 3,000 requests of
 * each client, collected objects included, is written to `<dir>/{lucca,bare}-<concurrency>.heapprofile`
 * (open them in Chrome's DevTools, or diff their allocation sites): where the extra bytes
 * are allocated.
 *
 * @since 0.0.0
 */
import { LuccaClient } from "@effect-lucca/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Inspector from "node:inspector/promises"
import * as Path from "node:path"
import * as Stats from "./Stats.js"

const concurrency = Number(process.argv[2] ?? 32)
const rounds = Number(process.argv[3] ?? 30)
const aa = process.argv[4] === "aa"
const perRound = 2_000
const gc = (globalThis as { gc?: () => void }).gc

const accountUrl = "https://example.ilucca.net"
const tokenUrl = "https://accounts.world.luccasoftware.com/connect/token"
const body = JSON.stringify({ id: 1, name: "Lucca" })
const tokenBody = JSON.stringify({
  access_token: "a-token-from-the-instant-host",
  token_type: "Bearer",
  expires_in: 3600
})

// one canned answer per request, as a connection pool that answers at once would give it
const instant = HttpClient.make((request) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(request.url === tokenUrl ? tokenBody : body, {
        status: 200,
        headers: { "content-type": "application/json" }
      })
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
    clientId: "a-client",
    clientSecret: Redacted.make("a-secret"),
    scopes: ["legal-entities.readonly"],
    accountUrl,
    tokenUrl,
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
      gc?.()
      const start = process.cpuUsage()
      return Effect.map(batch(client), () => {
        const used = process.cpuUsage(start)
        return (used.user + used.system) / perRound
      })
    })
  const measured = aa ? bare : lucca.httpClient
  // warm-up: the JIT settles over the first few ten thousand requests
  for (let i = 0; i < 5; i++) {
    yield* batch(measured)
    yield* batch(bare)
  }
  const extra: Array<number> = []
  const ratios: Array<number> = []
  for (let i = 0; i < rounds; i++) {
    const [l, b] = i % 2 === 0
      ? yield* Effect.all([time(measured), time(bare)])
      : (yield* Effect.all([time(bare), time(measured)])).reverse()
    extra.push(l - b)
    ratios.push(b / l)
    process.stderr.write(
      `round ${i + 1}: ${aa ? "bare (A)" : "LuccaClient"} ${l.toFixed(2)} µs CPU/req, bare ${b.toFixed(2)} µs CPU/req\n`
    )
  }
  const interval = (samples: ReadonlyArray<number>, digits: number) =>
    `${Stats.median(samples).toFixed(digits)} (95 % CI ${
      Stats.medianInterval(samples).map((n) => n.toFixed(digits)).join(" to ")
    })`
  process.stdout.write(
    `concurrency ${concurrency}${aa ? ", bare against itself" : ""}: ${aa ? "A" : "LuccaClient"} costs ${
      interval(extra, 2)
    } µs more CPU per request; CPU efficiency ${
      interval(ratios, 3)
    }x the bare client's (medians of ${rounds} rounds of ${perRound}${gc === undefined ? ", no --expose-gc" : ""})\n`
  )
  if (gc !== undefined) {
    // bytes allocated per request: the heap's growth over a block of 500 that starts from a
    // collected heap; a scavenge inside the block would lower it, so the largest of 7 is kept
    const allocated = (client: HttpClient.HttpClient.With<unknown>) =>
      Effect.gen(function*() {
        const samples: Array<number> = []
        for (let i = 0; i < 7; i++) {
          gc()
          const before = process.memoryUsage().heapUsed
          yield* Effect.forEach(
            Array.from({ length: 500 }),
            () => Effect.flatMap(client.get("/lucca-api/legal-entities/1"), (response) => response.text),
            { concurrency, discard: true }
          )
          samples.push((process.memoryUsage().heapUsed - before) / 500)
        }
        return Math.max(...samples)
      })
    const l = yield* allocated(measured)
    const b = yield* allocated(bare)
    process.stdout.write(
      `concurrency ${concurrency}: allocated per request: ${aa ? "A" : "LuccaClient"} ${Math.round(l)} bytes, bare ${
        Math.round(b)
      } bytes (+${Math.round(l - b)})\n`
    )
  }
  const heapProfileDir = process.env.EFFECT_LUCCA_BENCH_HEAP_PROFILE
  if (heapProfileDir !== undefined) {
    const session = new Inspector.Session()
    session.connect()
    for (const [name, client] of [["lucca", measured], ["bare", bare]] as const) {
      yield* Effect.promise(() =>
        session.post("HeapProfiler.startSampling", {
          samplingInterval: 256,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true
        })
      )
      yield* Effect.forEach(
        Array.from({ length: 3_000 }),
        () => Effect.flatMap(client.get("/lucca-api/legal-entities/1"), (response) => response.text),
        { concurrency, discard: true }
      )
      const { profile } = yield* Effect.promise(() => session.post("HeapProfiler.stopSampling"))
      Fs.writeFileSync(Path.join(heapProfileDir, `${name}-${concurrency}.heapprofile`), JSON.stringify(profile))
    }
    session.disconnect()
  }
})

Effect.runPromise(Effect.scoped(program))
