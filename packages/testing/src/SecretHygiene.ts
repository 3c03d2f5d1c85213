/**
 * The check behind "no secret in logs, spans or errors": a harness that captures every
 * log line, every span (name, attributes, events, and the pretty cause of a failed span as
 * exporters record it) and every error an effect produces, in every rendering a person
 * could see (`message`, `String`, `toJSON`, `Inspectable`, `Cause.pretty`), and then
 * searches them for secrets, in every encoding a server or a library may have written
 * them in (see {@link encodings}).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"

/**
 * @since 0.1.0
 * @category models
 */
export interface Harness {
  /** Everything captured so far, as text. */
  readonly texts: ReadonlyArray<string>
  readonly spanNames: ReadonlyArray<string>
  readonly logCount: () => number
  /** Replaces the logger and the tracer, and logs at every level. */
  readonly layer: Layer.Layer<never>
  /** Adds the renderings of a value (an error, a response...) to the capture. */
  readonly record: (value: unknown) => void
  /** Runs an effect under the capture; its failure, if any, is recorded too. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Exit.Exit<A, E>, never, R>
  /** The names of the secrets found in the capture, in any of their {@link encodings}. */
  readonly leaks: (secrets: Readonly<Record<string, string | Redacted.Redacted<string>>>) => Array<string>
}

/**
 * Every textual rendering a person could see of a value.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderings = (value: unknown): Array<string> => {
  const out: Array<string> = []
  const push = (render: () => unknown) => {
    try {
      out.push(String(render()))
    } catch (error) {
      out.push(`<rendering failed: ${String(error)}>`)
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
  if (Cause.isCause(value)) push(() => Cause.pretty(value, { renderErrorCause: true }))
  return out
}

// a lone surrogate has no percent-encoding (`encodeURIComponent` throws): such a text is
// still looked for as written and in its other encodings
const percentEncoded = (text: string): string | undefined => {
  try {
    return encodeURIComponent(text)
  } catch {
    return undefined
  }
}

/**
 * The ways a secret may appear in a text: raw, form-encoded (`application/x-www-form-urlencoded`,
 * as in a token request body), percent-encoded (upper- and lower-case hex), JSON-escaped,
 * and the JSON escaping of its form encoding. A base64 secret (`+`, `/`, `=`) looks
 * different in each.
 *
 * @since 0.1.0
 * @category rendering
 */
export const encodings = (secret: string): Array<string> => {
  if (secret === "") return []
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const percent = percentEncoded(secret)
  return [
    ...new Set([
      secret,
      form,
      ...(percent === undefined ? [] : [percent, percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())]),
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(form).slice(1, -1)
    ])
  ]
}

/**
 * A new, empty harness.
 *
 * @example
 * ```ts
 * import { SecretHygiene } from "@effect-lucca/testing"
 * import { Effect, Redacted } from "effect"
 *
 * const secret = Redacted.make("s3cr3t")
 *
 * const harness = SecretHygiene.make()
 * const program = Effect.gen(function*() {
 *   // everything the code under test logs, traces or fails with is captured
 *   yield* harness.run(Effect.logInfo("using", secret))
 *   assert.deepStrictEqual(harness.leaks({ "client secret": secret }), [])
 * }).pipe(Effect.provide(harness.layer))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Harness => {
  const texts: Array<string> = []
  const spanNames: Array<string> = []
  let logs = 0
  const record = (value: unknown) => {
    texts.push(...renderings(value))
  }
  const push = (error: unknown) => {
    if (error instanceof Error) texts.push(error.message)
  }

  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    logs++
    texts.push(logLevel.label)
    record(message)
    record(cause)
    for (const [key, value] of annotations) {
      texts.push(key)
      record(value)
    }
    for (const span of spans) texts.push(span.label)
  })

  let nextId = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      spanNames.push(name)
      texts.push(name)
      const attributes = new Map<string, unknown>()
      const spanLinks = [...links]
      const id = ++nextId
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span-${id}`,
        traceId: Option.match(parent, { onNone: () => `trace-${id}`, onSome: (p) => p.traceId }),
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links: spanLinks,
        sampled: true,
        kind,
        end(_endTime, exit) {
          for (const [key, value] of attributes) {
            texts.push(key)
            record(value)
          }
          // what tracing exporters keep of a failed span: the pretty cause and each error's
          // message (the exit itself is not exported)
          if (Exit.isFailure(exit)) {
            texts.push(Cause.pretty(exit.cause, { renderErrorCause: true }))
            for (const error of Cause.failures(exit.cause)) push(error)
          }
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event(eventName, _startTime, eventAttributes) {
          texts.push(eventName)
          record(eventAttributes)
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

  const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.tapErrorCause((cause) => Effect.sync(() => record(cause))),
      Effect.tapError((error) => Effect.sync(() => record(error))),
      Effect.exit,
      Effect.provide(layer)
    )

  const leaks = (secrets: Readonly<Record<string, string | Redacted.Redacted<string>>>) =>
    Object.entries(secrets).flatMap(([name, secret]) => {
      const variants = encodings(Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)
      return texts.some((text) => variants.some((variant) => text.includes(variant))) ? [name] : []
    })

  return { texts, spanNames, logCount: () => logs, layer, record, run, leaks }
}
