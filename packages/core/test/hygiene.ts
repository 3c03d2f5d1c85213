/**
 * Captures every log line, span (name, attributes, events, exit) and error produced by an
 * effect, to check that no secret appears in any of them.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

export interface Capture {
  readonly texts: Array<string>
  readonly spanNames: Array<string>
  readonly logCount: () => number
}

/** Every textual rendering a user could see of a value: message, String, JSON, inspect. */
export const renderings = (value: unknown): Array<string> => {
  const out: Array<string> = []
  const push = (f: () => unknown) => {
    try {
      out.push(String(f()))
    } catch (e) {
      out.push(`<render failed: ${String(e)}>`)
    }
  }
  push(() => value)
  push(() => JSON.stringify(value))
  push(() => Inspectable.format(value))
  push(() => Inspectable.toStringUnknown(value))
  if (value instanceof Error) {
    push(() => value.message)
    push(() => value.stack)
  }
  if (Cause.isCause(value)) {
    push(() => Cause.pretty(value, { renderErrorCause: true }))
  }
  return out
}

export const makeCapture = () => {
  const texts: Array<string> = []
  const spanNames: Array<string> = []
  let logs = 0
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    logs++
    texts.push(logLevel.label, ...renderings(message), ...renderings(cause))
    for (const [key, value] of annotations) texts.push(key, ...renderings(value))
    for (const span of spans) texts.push(span.label)
  })
  let nextId = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      spanNames.push(name)
      texts.push(name)
      const attributes = new Map<string, unknown>()
      const spanLinks = [...links]
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span-${++nextId}`,
        traceId: Option.match(parent, { onNone: () => `trace-${nextId}`, onSome: (p) => p.traceId }),
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links: spanLinks,
        sampled: true,
        kind,
        end(_endTime, exit) {
          for (const [key, value] of attributes) texts.push(key, ...renderings(value))
          if (Exit.isFailure(exit)) texts.push(...renderings(exit.cause))
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event(eventName, _time, eventAttributes) {
          texts.push(eventName, ...renderings(eventAttributes))
        },
        addLinks(more) {
          spanLinks.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  const layer = Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, logger),
    Layer.setTracer(tracer),
    Logger.minimumLogLevel(LogLevel.All)
  )
  const capture: Capture = { texts, spanNames, logCount: () => logs }
  /** Runs `effect` under the capture and records its failure, if any. */
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.tapErrorCause((cause) => Effect.sync(() => texts.push(...renderings(cause)))),
      Effect.tapError((error) => Effect.sync(() => texts.push(...renderings(error)))),
      Effect.exit,
      Effect.provide(layer)
    )
  return { capture, run }
}

/** The secrets found in captured texts, by name. */
export const leaks = (capture: Capture, secrets: Record<string, string>): Array<string> =>
  Object.entries(secrets).flatMap(([name, secret]) => capture.texts.some((text) => text.includes(secret)) ? [name] : [])
