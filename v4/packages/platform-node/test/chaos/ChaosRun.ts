/**
 * Ported from the Effect 3 line's `packages/platform-node/chaos/ChaosRun.ts` (the same
 * workload, faults, seed and promises; what Effect 4 changes only): a chaos run: a mixed workload from many fibers against the emulator on loopback while
 * it injects faults: token requests failing in mixed transient ways, tokens revoked at
 * random, latency spikes, dropped connections, and a rate limit that bites. It reports
 * what happened and checks the promises of the client:
 * - no operation failed while its retry budget was not exhausted;
 * - no non-idempotent request was sent twice, other than after a 401 or a 429 (which
 *   prove the server did not act);
 * - neither the secret nor any token appears in a log line, a span or an error.
 */
import { LuccaClient, LuccaError, LuccaMetrics } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as SecretHygiene from "@effect-lucca/testing/SecretHygiene"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

export interface Options {
  readonly operations: number
  readonly concurrency: number
  /** Share of token requests that fail (503, an HTML 502, a dropped connection, a timeout). */
  readonly tokenFaultRate: number
  readonly seed: number
}

export const defaults: Options = { operations: 10_000, concurrency: 64, tokenFaultRate: 0.3, seed: 7 }

export interface Report {
  readonly options: Options
  readonly durationMillis: number
  readonly successes: number
  /** Failed operations, by cause. */
  readonly failures: Readonly<Record<string, number>>
  /** Failures that happened while the operation still had retries left: must be empty. */
  readonly violations: ReadonlyArray<string>
  readonly retries: number
  readonly unauthorizedRetries: number
  /** Token requests the client sent, and how many of them failed. */
  readonly tokenRequests: number
  readonly tokenFailures: number
  readonly rateLimited: number
  readonly duplicateNonIdempotent: number
  /** Names of the secrets found in logs, spans or errors: must be empty. */
  readonly leaks: ReadonlyArray<string>
}

// The client under test: a short retry budget keeps failures visible, short tokens make
// refreshes frequent, and pacing above the emulator's limit lets 429s happen.
const requestRetries = 5
const tokenLifetime = Duration.seconds(2)
const serverLimit = { requests: 50, window: Duration.millis(200) }
const clientPacing = { requests: 75, per: Duration.millis(200), burst: 10 }

type Kind = "list" | "item" | "departments" | "create"

/** A small deterministic generator, so that a seed replays the same operation mix. */
const random = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const kindOf = (r: number): Kind => r < 0.6 ? "list" : r < 0.8 ? "item" : r < 0.93 ? "departments" : "create"

const tokenFaults = [
  FakeLucca.Fault.ServiceUnavailable(),
  FakeLucca.Fault.BadGateway(),
  FakeLucca.Fault.Disconnect(),
  FakeLucca.Fault.Delay({ duration: "1500 millis" })
]
const apiFaults = [
  FakeLucca.Fault.ServiceUnavailable(),
  FakeLucca.Fault.BadGateway(),
  FakeLucca.Fault.Disconnect(),
  FakeLucca.Fault.Delay({ duration: "200 millis" })
]

/** What one attempt of an operation ended with, as seen on the wire. */
type Attempt = number | "dropped"

export const run = (options: Options): Effect.Effect<Report> =>
  Effect.gen(function*() {
    const harness = SecretHygiene.make()
    const next = random(options.seed)
    const context = yield* Layer.build(FakeLuccaServer.layerFake({
      fake: { rateLimit: serverLimit, tokenLifetime }
    }))
    const fake = yield* Effect.provide(FakeLucca.FakeLucca, context)
    const server = yield* Effect.provide(FakeLuccaServer.FakeLuccaServer, context)
    const data = yield* fake.data()

    // Every attempt of every operation, keyed by the operation id the request carries.
    const attempts = new Map<string, Array<Attempt>>()
    const tokens = new Set<string>()
    const record = (request: HttpClientRequest.HttpClientRequest, attempt: Attempt) => {
      const id = request.headers["x-chaos-operation"]
      if (id !== undefined) attempts.set(id, [...(attempts.get(id) ?? []), attempt])
      const authorization = request.headers["authorization"]
      if (authorization !== undefined) tokens.add(authorization.replace(/^Bearer /, ""))
    }
    const observe = (client: HttpClient.HttpClient) =>
      HttpClient.transform(client, (response, request) =>
        response.pipe(
          Effect.tap((r) => Effect.sync(() => record(request, r.status))),
          Effect.tapError(() => Effect.sync(() => record(request, "dropped")))
        ))

    const client = yield* LuccaClient.make({
      clientId: FakeLucca.defaultClientId,
      clientSecret: Redacted.make(FakeLucca.defaultClientSecret),
      scopes: ["employees.readonly", "departments.readonly", "webhook-endpoints.readwrite"],
      accountUrl: server.url,
      tokenUrl: server.tokenUrl,
      timeout: "1 second",
      rateLimit: clientPacing,
      requestRetry: { times: requestRetries }
      // the HTTP layer lives as long as the run: built here, not around `make` alone; it is
      // observed below the client, where every attempt (and its token) passes
    }).pipe(
      Effect.provide(
        yield* Layer.build(
          Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, observe)).pipe(
            Layer.provide(NodeLucca.layerHttpClient)
          )
        )
      ),
      Effect.provide(harness.layer)
    )

    const operation = (index: number, kind: Kind) => {
      const id = String(index)
      const tag = HttpClientRequest.setHeader("x-chaos-operation", id)
      switch (kind) {
        case "list":
          return client.executeDecoded(tag(HttpClientRequest.get("/lucca-api/employees?limit=5")), Schema.Unknown)
        case "item": {
          const employee = data.resources.employees[index % data.resources.employees.length]
          return client.executeDecoded(
            tag(HttpClientRequest.get(`/lucca-api/employees/${employee.id}`)),
            Schema.Unknown
          )
        }
        case "departments":
          return client.executeDecoded(tag(HttpClientRequest.get("/lucca-api/departments")), Schema.Unknown)
        case "create": {
          // one distinct name per operation, so that a duplicate creation shows
          return client.executeDecoded(
            tag(HttpClientRequest.post("/lucca-api/webhook-endpoints")).pipe(
              HttpClientRequest.bodyJsonUnsafe({
                name: `chaos-${id}`,
                webhookUrl: `https://hooks.example.test/chaos/${id}`,
                apiVersion: "2024-11-01",
                topics: ["employee.created"]
              })
            ),
            Schema.Unknown
          )
        }
      }
    }

    // The monkey keeps the share of failed token requests at the target, revokes tokens,
    // and throws latency spikes and dropped connections at the API. Bounded, and stopped
    // when the workload ends.
    let injectedTokenFaults = 0
    const monkey = Effect.gen(function*() {
      const stats = yield* fake.stats
      // count the injected faults, not the served ones: a fault waits for the next request
      if (injectedTokenFaults < options.tokenFaultRate * (stats.token.total + 1)) {
        injectedTokenFaults++
        yield* fake.injectFault("token", tokenFaults[Math.floor(next() * tokenFaults.length)])
      }
      const r = next()
      if (r < 0.01) yield* fake.revokeTokens()
      else if (r < 0.35) yield* fake.injectFault("api", apiFaults[Math.floor(next() * apiFaults.length)])
    }).pipe(Effect.repeat(Schedule.spaced("10 millis").pipe(Schedule.upTo({ duration: "10 minutes" }))))

    const tokenOutcomes = Effect.all(
      ["success", "request_error", "oauth_error", "invalid_response"].map((outcome) =>
        Metric.value(Metric.withAttributes(LuccaMetrics.tokenRequests, { outcome })).pipe(
          Effect.map((state) => state.count)
        )
      )
    )
    const before = yield* tokenOutcomes

    const kinds = Array.from({ length: options.operations }, () => kindOf(next()))
    const started = Date.now()
    const chaos = yield* Effect.forkChild(monkey)
    const exits = yield* Effect.forEach(
      kinds,
      (kind, index) =>
        operation(index, kind).pipe(
          Effect.tapCause((cause) => Effect.sync(() => harness.record(cause))),
          Effect.exit,
          Effect.map((exit) => ({ exit, index, kind }))
        ),
      { concurrency: options.concurrency }
    ).pipe(Effect.provide(harness.layer))
    yield* Fiber.interrupt(chaos)
    const durationMillis = Date.now() - started

    // Classify every failure: a failure is legitimate only when its budget was spent.
    const failures: Record<string, number> = {}
    const violations: Array<string> = []
    const count = (cause: string) => {
      failures[cause] = (failures[cause] ?? 0) + 1
    }
    for (const { exit, index, kind } of exits) {
      if (Exit.isSuccess(exit)) continue
      const seen = attempts.get(String(index)) ?? []
      const isRetryable = (a: Attempt) => a === "dropped" || LuccaError.transientStatuses.has(a)
      const last = seen.at(-1)
      const failure = Cause.findErrorOption(exit.cause)
      const error = failure._tag === "Some" ? failure.value : undefined
      const what = error === undefined ? "defect" : error._tag === "ApiError" ? `HTTP ${error.status}` : error._tag
      if (kind === "create" && last !== undefined && last !== 429 && isRetryable(last)) {
        // only a 429 proves a POST was not processed: anything else is not sent again
        count(`${what} on POST (not retried: not idempotent)`)
      } else if (seen.filter(isRetryable).length >= requestRetries + 1) {
        count(`${what} after ${requestRetries} retries`)
      } else if (error?._tag === "Unauthorized" && seen.filter((a) => a === 401).length >= 2) {
        count("Unauthorized after a retry with a fresh token")
      } else {
        count(`${what} with retries left`)
        violations.push(`operation ${index} (${kind}): ${what} after attempts ${JSON.stringify(seen)}`)
      }
    }

    // A non-idempotent operation may be sent again only after a 401 or a 429 (the server
    // did not act).
    let duplicateNonIdempotent = 0
    exits.forEach(({ index, kind }) => {
      if (kind !== "create") return
      const seen = attempts.get(String(index)) ?? []
      const resent = seen.slice(1).filter((_, i) => seen[i] !== 401 && seen[i] !== 429).length
      if (resent > 0) duplicateNonIdempotent++
    })
    // and the emulator agrees: no webhook endpoint was created twice
    const created = new Map<string, number>()
    for (const endpoint of (yield* fake.data()).resources["webhook-endpoints"]) {
      const name = endpoint.name as string
      if (name.startsWith("chaos-")) created.set(name, (created.get(name) ?? 0) + 1)
    }
    duplicateNonIdempotent += Array.from(created.values()).filter((n) => n > 1).length

    let retries = 0
    let unauthorizedRetries = 0
    for (const seen of attempts.values()) {
      seen.slice(0, -1).forEach((attempt) => {
        if (attempt === 401) unauthorizedRetries++
        else retries++
      })
    }

    const stats = yield* fake.stats
    const [successes, ...failed] = (yield* tokenOutcomes).map((n, i) => n - before[i])
    const tokenFailures = failed.reduce((a, b) => a + b, 0)
    const secrets: Record<string, string> = { clientSecret: FakeLucca.defaultClientSecret }
    let i = 0
    for (const token of tokens) secrets[`token ${++i}`] = token

    return {
      options,
      durationMillis,
      successes: exits.filter(({ exit }) => Exit.isSuccess(exit)).length,
      failures,
      violations,
      retries,
      unauthorizedRetries,
      tokenRequests: successes + tokenFailures,
      tokenFailures,
      rateLimited: stats.api.byStatus["429"] ?? 0,
      duplicateNonIdempotent,
      leaks: harness.leaks(secrets)
    }
  }).pipe(
    Effect.scoped,
    // failing to start the emulator or to build the client is a broken run, not a result
    Effect.orDie
  )

const number = (n: number) => n.toLocaleString("en-US")

/** The report as a table. */
export const format = (report: Report): string => {
  const rows: Array<[string, string]> = [
    ["operations", number(report.options.operations)],
    ["fibers", number(report.options.concurrency)],
    ["duration", `${(report.durationMillis / 1000).toFixed(1)} s`],
    ["successes", number(report.successes)],
    ["failures", number(report.options.operations - report.successes)],
    ...Object.entries(report.failures).sort(([, a], [, b]) => b - a).map(([cause, n]): [string, string] => [
      `  ${cause}`,
      number(n)
    ]),
    ["retries (408, 429, 5xx, dropped)", number(report.retries)],
    ["retries after a 401 (revoked token)", number(report.unauthorizedRetries)],
    [
      "token requests (failed)",
      `${number(report.tokenRequests)} (${number(report.tokenFailures)}, ${
        report.tokenRequests === 0 ? 0 : Math.round(100 * report.tokenFailures / report.tokenRequests)
      }%)`
    ],
    ["429s seen", number(report.rateLimited)],
    ["duplicate non-idempotent requests", number(report.duplicateNonIdempotent)],
    ["failures with retries left", number(report.violations.length)],
    ["secrets in logs, spans or errors", report.leaks.length === 0 ? "none" : report.leaks.join(", ")]
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value.padStart(8)}`).join("\n")
}
