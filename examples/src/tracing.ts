/**
 * The library's spans and metrics through `@effect/opentelemetry`, as a trace you can
 * read: a token refresh, a 401 recovered with a fresh token, and a batch paced to the
 * account's budget. `NodeSdk` exports to memory (no collector, no network); the program
 * prints the span tree with start offsets, where pacing shows as the gaps between the
 * batch's requests, and the `lucca_*` counters. Swap the in-memory exporter for an OTLP
 * one to send the same spans to a collector.
 */
import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { type CollectionResult, DataPointType, MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Target from "./Target.js"

export const scopes = ["departments.readonly"]

/** Requests sent at once in the batch: more than the burst of 5, so that pacing shows. */
const batchSize = 6

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })

/** A metric reader that collects when asked, for a program that prints its metrics once. */
class OnDemandReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
}

const millis = ([seconds, nanos]: readonly [number, number]) => seconds * 1000 + nanos / 1e6

/** The spans as an indented tree: offset from the root's start, duration, name, a few attributes. */
const tree = (spans: ReadonlyArray<ReadableSpan>): ReadonlyArray<string> => {
  const byParent = new Map<string | undefined, Array<ReadableSpan>>()
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId
    const key = parent !== undefined && ids.has(parent) ? parent : undefined
    byParent.set(key, [...(byParent.get(key) ?? []), span])
  }
  const roots = byParent.get(undefined) ?? []
  const origin = Math.min(...roots.map((span) => millis(span.startTime)))
  const shown = ["lucca.refresh_mode", "http.response.status_code", "url.path", "oauth.granted_scopes"]
  const lines: Array<string> = []
  const visit = (span: ReadableSpan, depth: number) => {
    const attributes = shown
      .filter((key) => span.attributes[key] !== undefined)
      .map((key) => `${key}=${String(span.attributes[key])}`)
      .join(" ")
    lines.push(
      `  +${((millis(span.startTime) - origin) / 1000).toFixed(2)}s ${
        millis(span.duration).toFixed(0).padStart(5)
      }ms  ${"  ".repeat(depth)}${span.name}${attributes === "" ? "" : `  ${attributes}`}`
    )
    const children = [...(byParent.get(span.spanContext().spanId) ?? [])]
      .sort((a, b) => millis(a.startTime) - millis(b.startTime))
    for (const child of children) visit(child, depth + 1)
  }
  for (const root of roots) visit(root, 0)
  return lines
}

/** The `lucca_*` counters, summed over their labels. */
const counters = (result: CollectionResult): Record<string, number> => {
  const totals: Record<string, number> = {}
  for (const scope of result.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (!metric.descriptor.name.startsWith("lucca_") || metric.dataPointType !== DataPointType.SUM) continue
      totals[metric.descriptor.name] = metric.dataPoints.reduce((sum, point) => sum + Number(point.value), 0)
    }
  }
  return totals
}

export const program = Effect.gen(function*() {
  const target = yield* Target.Target
  const app = yield* target.application("Traced batch", scopes)
  const exporter = new InMemorySpanExporter()
  const reader = new OnDemandReader()

  return yield* Effect.gen(function*() {
    let recovered = false
    yield* Effect.gen(function*() {
      const client = yield* LuccaClient.make({ ...app, scopes })
      const read = client.get("/lucca-api/departments", Page, { urlParams: { limit: 1 } })

      // the first request has no token yet: a foreground refresh
      yield* Effect.withSpan(read, "first request")
      // the token is revoked behind the client's back: a 401, then one retry with a new token
      if (yield* target.revokeTokens) {
        yield* Effect.withSpan(read, "request after a revocation")
        recovered = true
      }
      // more requests at once than the burst: the pacer spaces the rest
      yield* Effect.all(Array.from({ length: batchSize }, () => read), { concurrency: "unbounded" }).pipe(
        Effect.withSpan("paced batch", { attributes: { "batch.size": batchSize } })
      )
    }).pipe(Effect.scoped, Effect.withSpan("tracing example"), Effect.provide(NodeLucca.layerHttpClient))

    const spans = exporter.getFinishedSpans()
    const metrics = counters(yield* Effect.promise(() => reader.collect()))
    yield* Console.log(`  trace ${spans[0]?.spanContext().traceId ?? "(none)"}, ${spans.length} spans:`)
    for (const line of tree(spans)) yield* Console.log(line)
    yield* Console.log("  counters:")
    for (const [name, value] of Object.entries(metrics).sort()) yield* Console.log(`    ${name} ${value}`)
    if (!recovered) yield* Console.log("  (against a real account the token is not revoked: no 401 to recover)")
    return {
      spans: spans.length,
      refreshes: spans.filter((span) => span.name === "TokenProvider.refresh").length,
      recovered,
      tokenRequests: metrics["lucca_token_requests_total"] ?? 0,
      unauthorizedRetries: metrics["lucca_unauthorized_retries_total"] ?? 0
    }
  }).pipe(
    Effect.provide(NodeSdk.layer(() => ({
      resource: { serviceName: "effect-lucca-examples" },
      spanProcessor: new SimpleSpanProcessor(exporter),
      metricReader: reader
    })))
  )
})

Target.runIfMain(import.meta.url, program)
