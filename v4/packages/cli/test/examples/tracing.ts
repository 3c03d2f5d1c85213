/**
 * The Effect 3 line's tracing example (`examples/src/tracing.ts`), ported as a fixture of
 * `Tracing.test.ts`: the library's spans through `@effect/opentelemetry`, as a trace you can
 * read: a token refresh, a 401 recovered with a fresh token, and a batch paced to the
 * account's budget. The spans go to an in-memory exporter (no collector, no network).
 * What Effect 4 changes: `@effect/opentelemetry` 4.1's `OtelTracer.layer` over an OTel
 * tracer provider (this package's dependencies have no OTel metrics SDK), and the `lucca_*`
 * counters read with `Metric.value` (summed over their attributes) where the Effect 3
 * example read them through OTel's metric reader.
 */
import { LuccaClient, LuccaMetrics } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import * as OtelResource from "@effect/opentelemetry/Resource"
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"

export const scopes = ["departments.readonly"]

/** Requests sent at once in the batch: more than the burst of 5, so that pacing shows. */
const batchSize = 6

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })

/** The `lucca_*` counters this example reads, summed over their attributes. */
const counters = Effect.all({
  tokenRequests: Effect.map(
    Effect.all(
      ["success", "request_error", "oauth_error", "invalid_response"].map((outcome) =>
        Metric.value(Metric.withAttributes(LuccaMetrics.tokenRequests, { outcome }))
      )
    ),
    (states) => states.reduce((sum, state) => sum + state.count, 0)
  ),
  unauthorizedRetries: Effect.map(Metric.value(LuccaMetrics.unauthorizedRetries), (state) => state.count)
})

/** The program, against the emulator in context. */
export const program = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  const server = yield* FakeLuccaServer.FakeLuccaServer
  const application = yield* Effect.orDie(fake.registerApplication({ name: "Traced batch", scopes }))
  const app = {
    clientId: application.clientId,
    clientSecret: application.clientSecret,
    accountUrl: server.url,
    tokenUrl: server.tokenUrl
  }

  const exporter = new InMemorySpanExporter()
  const resource = OtelResource.layer({ serviceName: "effect-lucca-examples" })
  const provider = new BasicTracerProvider({
    resource: yield* Effect.provide(OtelResource.Resource, resource),
    spanProcessors: [new SimpleSpanProcessor(exporter)]
  })
  const tracing = OtelTracer.layer.pipe(
    Layer.provide(Layer.succeed(OtelTracer.OtelTracerProvider, provider)),
    Layer.provide(resource)
  )

  const before = yield* counters
  let recovered = false
  yield* Effect.gen(function*() {
    const client = yield* LuccaClient.make({ ...app, scopes })
    const read = client.get("/lucca-api/departments", Page, { urlParams: { limit: 1 } })

    // the first request has no token yet: a foreground refresh
    yield* Effect.withSpan(read, "first request")
    // the token is revoked behind the client's back: a 401, then one retry with a new token
    yield* fake.revokeTokens()
    yield* Effect.withSpan(read, "request after a revocation")
    recovered = true
    // more requests at once than the burst: the pacer spaces the rest
    yield* Effect.all(Array.from({ length: batchSize }, () => read), { concurrency: "unbounded" }).pipe(
      Effect.withSpan("paced batch", { attributes: { "batch.size": batchSize } })
    )
  }).pipe(
    Effect.scoped,
    Effect.withSpan("tracing example"),
    Effect.provide(NodeLucca.layerHttpClient),
    Effect.provide(tracing)
  )
  yield* Effect.promise(() => provider.forceFlush())
  const after = yield* counters
  const spans = exporter.getFinishedSpans()
  yield* Effect.promise(() => provider.shutdown())
  return {
    spans: spans.length,
    refreshes: spans.filter((span) => span.name === "TokenProvider.refresh").length,
    recovered,
    tokenRequests: after.tokenRequests - before.tokenRequests,
    unauthorizedRetries: after.unauthorizedRetries - before.unauthorizedRetries
  }
})
