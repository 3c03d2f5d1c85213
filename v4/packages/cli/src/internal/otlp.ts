/**
 * `--trace FILE`: the command's spans, through `@effect/opentelemetry`, written as one
 * OTLP/JSON `ExportTraceServiceRequest` (the `resourceSpans` document an OpenTelemetry
 * collector's file receiver, Jaeger or otel-desktop-viewer read).
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import * as OtelResource from "@effect/opentelemetry/Resource"
import type * as OtelApi from "@opentelemetry/api"
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer"
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"

/**
 * Where the commands register the `redact` of what they hold (a client's token provider,
 * a token, the secret): every text of the trace goes through each before it is written,
 * since a span may quote a server's answer (a response header echoing `Authorization`).
 * Outside `--trace`, registering does nothing.
 */
export const Redactors: Context.Reference<RedactorsService> = Context.Reference<RedactorsService>(
  "@effect-lucca/cli/Redactors",
  { defaultValue: () => ({ add: () => {} }) }
)

/** What {@link Redactors} holds: where to register a `redact`. */
export interface RedactorsService {
  readonly add: (redact: (text: string) => string) => void
}

/** Registers `redact` for the trace being written, if any. */
export const redactWith = (redact: (text: string) => string): Effect.Effect<void> =>
  Effect.flatMap(Redactors, (redactors) => Effect.sync(() => redactors.add(redact)))

/** `--trace FILE` cannot be used as given. */
export class TraceFileError extends Data.TaggedError("TraceFileError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message(): string {
    return `--trace ${this.file}: ${this.reason}`
  }
}

// not on Windows: lstat below still refuses a link there (with a race)
const noFollow = Fs.constants.O_NOFOLLOW ?? 0

/**
 * Opens `file` for the trace before the command runs: created 0600 (the spans hold URLs,
 * scopes and the account's answers), an existing file made 0600 and emptied, and never
 * through a symbolic link (`O_NOFOLLOW`: a link planted at the path would make `lucca`
 * write wherever it points).
 */
const open = (file: string): Effect.Effect<number, TraceFileError> =>
  Effect.try({
    try: () => {
      const stat = Fs.lstatSync(file, { throwIfNoEntry: false })
      if (stat?.isSymbolicLink() === true) throw Object.assign(new Error(), { code: "ELOOP" })
      const fd = Fs.openSync(
        file,
        Fs.constants.O_WRONLY | Fs.constants.O_CREAT | Fs.constants.O_TRUNC | noFollow,
        0o600
      )
      try {
        if (!Fs.fstatSync(fd).isFile()) throw Object.assign(new Error(), { code: "ENOTFILE" })
        Fs.fchmodSync(fd, 0o600)
      } catch (error) {
        Fs.closeSync(fd)
        throw error
      }
      return fd
    },
    catch: (error) => {
      const code = (error as { readonly code?: unknown }).code
      return new TraceFileError({
        file,
        reason: code === "ELOOP" || code === "EMLINK"
          ? "is a symbolic link, which lucca does not follow"
          : code === "ENOTFILE"
          ? "is not a regular file"
          : `cannot be written (${typeof code === "string" ? code : String(error)})`
      })
    }
  })

const redactValue = (value: OtelApi.AttributeValue | undefined, redact: (text: string) => string) =>
  typeof value === "string"
    ? redact(value)
    : Array.isArray(value)
    ? (value as ReadonlyArray<unknown>).map((item) =>
      typeof item === "string" ? redact(item) : item
    ) as OtelApi.AttributeValue
    : value

const redactAttributes = (attributes: OtelApi.Attributes, redact: (text: string) => string): OtelApi.Attributes =>
  Object.fromEntries(Object.entries(attributes).map(([key, value]) => [redact(key), redactValue(value, redact)]))

/** A view of `span` with every text through `redact` (the span itself is left as it was). */
const redactSpan = (span: ReadableSpan, redact: (text: string) => string): ReadableSpan =>
  Object.create(span, {
    name: { value: redact(span.name) },
    attributes: { value: redactAttributes(span.attributes, redact) },
    events: {
      value: span.events.map((event) => ({
        ...event,
        name: redact(event.name),
        ...(event.attributes === undefined ? {} : { attributes: redactAttributes(event.attributes, redact) })
      }))
    },
    links: {
      value: span.links.map((link) => ({
        ...link,
        ...(link.attributes === undefined ? {} : { attributes: redactAttributes(link.attributes, redact) })
      }))
    },
    status: {
      value: span.status.message === undefined ? span.status : { ...span.status, message: redact(span.status.message) }
    }
  }) as ReadableSpan

const writeAll = (fd: number, body: Uint8Array) => {
  let offset = 0
  while (offset < body.length) offset += Fs.writeSync(fd, body, offset)
}

/**
 * Runs `effect` with a tracer that keeps every span in memory, then writes them to `file`
 * whatever the outcome (a failed command is the one you want to look at). Fails before
 * running `effect` when `file` cannot be opened as {@link open} requires.
 */
export const traceTo = <A, E, R>(
  file: string,
  version: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | TraceFileError, R> =>
  Effect.acquireUseRelease(open(file), (fd) =>
    Effect.gen(function*() {
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
      const redactors: Array<(text: string) => string> = []
      const redact = (text: string) => redactors.reduce((out, f) => f(out), text)
      const write = Effect.promise(() => provider.forceFlush()).pipe(
        Effect.flatMap(() =>
          Effect.try(() => {
            const spans = exporter.getFinishedSpans().map((span) => redactSpan(span, redact))
            writeAll(fd, JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array())
          })
        ),
        Effect.andThen(Effect.promise(() => provider.shutdown())),
        // a trace that cannot be written must not hide the command's own outcome
        Effect.catch((error) => Effect.logWarning(`lucca: could not write the trace to ${file}: ${error.message}`))
      )
      return yield* Effect.provide(effect, tracing).pipe(
        // the headers too, as the Effect 3 line traced them (Retry-After, Deprecation, Sunset
        // explain a failure); `Authorization` is recorded `<redacted>`, and an echo of a
        // token goes through the redactors
        Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
        Effect.provideService(Redactors, { add: (f) => void redactors.push(f) }),
        Effect.ensuring(write)
      )
    }), (fd) => Effect.sync(() => Fs.closeSync(fd)))
