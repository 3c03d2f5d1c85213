/**
 * `--trace FILE`: the command's spans, through `@effect/opentelemetry`, written as one
 * OTLP/JSON `ExportTraceServiceRequest` (the `resourceSpans` document an OpenTelemetry
 * collector's file receiver, Jaeger or otel-desktop-viewer read).
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as FileSystem from "@effect/platform/FileSystem"
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer"
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Runs `effect` with a tracer that keeps every span in memory, then writes them to `file`
 * whatever the outcome (a failed command is the one you want to look at).
 */
export const traceTo = <A, E, R>(
  file: string,
  version: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exporter = new InMemorySpanExporter()
    const resource = OtelResource.layer({ serviceName: "lucca", serviceVersion: version })
    const provider = new BasicTracerProvider({
      resource: yield* Effect.provide(OtelResource.Resource, resource),
      spanProcessors: [new SimpleSpanProcessor(exporter)]
    })
    const tracing = OtelTracer.layer.pipe(
      Layer.provide(Layer.succeed(OtelTracer.OtelTracerProvider, provider)),
      Layer.provide(resource)
    )
    const write = Effect.promise(() => provider.forceFlush()).pipe(
      Effect.flatMap(() => {
        const body = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans()) ?? new Uint8Array()
        return fs.writeFile(file, body)
      }),
      Effect.zipRight(Effect.promise(() => provider.shutdown())),
      // a trace that cannot be written must not hide the command's own outcome
      Effect.catchAll((error) => Effect.logWarning(`lucca: could not write the trace to ${file}: ${error.message}`))
    )
    return yield* Effect.provide(effect, tracing).pipe(Effect.ensuring(write))
  })
