/**
 * The cost `LuccaClient` adds over a bare Effect 4 `HttpClient`, without sockets: both over
 * one instant `HttpClient` (a canned 200, and a canned token from Lucca's token URL, so that
 * `LuccaClient` runs its cached client-credentials provider as in the overhead bench), in
 * alternating rounds in one process. The v4 twin of `../../../packages/bench/src/overheadInProcess.ts`;
 * run it on the built packages (`pnpm run build-packages` first), under `--cpu-prof` to
 * see where the time goes:
 *
 *   node scripts/v4.mjs exec sh -c 'cd packages/bench && node --expose-gc --max-semi-space-size=64 \
 *     --import tsx --import ./src/registerBuilt.mjs [--cpu-prof] src/overheadInProcess.ts [concurrency] [rounds] [aa]'
 *
 * It prints the median of the per-round CPU differences and ratios with a 95 % bootstrap
 * interval (`aa`: the bare client against itself, the noise floor), and the bytes each
 * client allocates per request (heap growth over blocks that start from a collected heap),
 * which does not move with the load of the machine. With `EFFECT_LUCCA_BENCH_HEAP_PROFILE=<dir>`,
 * a sampling heap profile of 3,000 requests of each client, collected objects included, is
 * written to `<dir>/{lucca,bare}-<concurrency>.heapprofile`: where the extra bytes are allocated.
 *
 * @since 0.0.0
 */
import { LuccaClient } from "@effect-lucca/core"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
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
const instant = HttpClient.make((request, url) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(url.href === tokenUrl ? tokenBody : body, {
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

/** What the rounds use of a client: both clients' error types fit. */
interface Client {
  readonly get: (url: string) => Effect.Effect<HttpClientResponse.HttpClientResponse, unknown>
}

const program = Effect.gen(function*() {
  const lucca = yield* LuccaClient.make({
    clientId: "a-client",
    clientSecret: Redacted.make("a-secret"),
    scopes: ["legal-entities.readonly"],
    accountUrl,
    tokenUrl,
    rateLimit: false
  }).pipe(Effect.provideService(HttpClient.HttpClient, instant))
  const batch = (client: Client, count: number) =>
    Effect.forEach(
      Array.from({ length: count }),
      () => Effect.flatMap(client.get("/lucca-api/legal-entities/1"), (response) => response.text),
      { concurrency, discard: true }
    )
  const time = (client: Client) =>
    Effect.suspend(() => {
      gc?.()
      const start = process.cpuUsage()
      return Effect.map(batch(client, perRound), () => {
        const used = process.cpuUsage(start)
        return (used.user + used.system) / perRound
      })
    })
  const measured: Client = aa ? bare : lucca.httpClient
  for (let i = 0; i < 5; i++) {
    yield* batch(measured, perRound)
    yield* batch(bare, perRound)
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
      `round ${i + 1}: ${aa ? "A" : "LuccaClient"} ${l.toFixed(2)} µs CPU/req, bare ${b.toFixed(2)}\n`
    )
  }
  const interval = (samples: ReadonlyArray<number>, digits: number) =>
    `${Stats.median(samples).toFixed(digits)} (95 % CI ${
      Stats.medianInterval(samples).map((n) => n.toFixed(digits)).join(" to ")
    })`
  process.stdout.write(
    `concurrency ${concurrency}: ${aa ? "A" : "LuccaClient"} costs ${interval(extra, 2)} µs more CPU per request; ` +
      `CPU efficiency ${interval(ratios, 3)}x the bare client's (${rounds} rounds of ${perRound})\n`
  )
  if (gc !== undefined) {
    // a scavenge inside a block would lower its growth: the largest of 7 is kept
    const allocated = (client: Client) =>
      Effect.gen(function*() {
        const samples: Array<number> = []
        for (let i = 0; i < 7; i++) {
          gc()
          const before = process.memoryUsage().heapUsed
          yield* batch(client, 500)
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
      yield* batch(client, 3_000)
      const { profile } = yield* Effect.promise(() => session.post("HeapProfiler.stopSampling"))
      Fs.writeFileSync(Path.join(heapProfileDir, `${name}-${concurrency}.heapprofile`), JSON.stringify(profile))
    }
    session.disconnect()
  }
})

Effect.runPromise(Effect.scoped(program))
