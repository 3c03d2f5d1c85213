/**
 * `lucca webhooks listen --forward <url>`: the emulator on loopback, with one webhook
 * endpoint whose deliveries go to a local receiver, and a line per delivery attempt.
 */
import { FakeLucca, FakeLuccaServer, FakeLuccaWebhooks } from "@effect-lucca/testing"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Render from "./render.js"

/** The options of `lucca webhooks listen`. */
export const listenOptions = {
  forward: Flag.String("forward").pipe(
    Flag.withDescription("The URL of your receiver, such as http://127.0.0.1:3000/webhooks/lucca")
  ),
  topic: Flag.String("topic").pipe(
    Flag.withDescription(
      "A topic to subscribe to, such as employee.updated; repeat for several (default: every topic of Lucca's description)"
    ),
    Flag.atLeast(0)
  ),
  port: Flag.Int("port").pipe(
    Flag.withDescription("The emulator's port (default 0: a free port)"),
    Flag.withDefault(0)
  ),
  seed: Flag.String("seed").pipe(Flag.withDescription("The seed of the data set (default 42)"), Flag.withDefault("42"))
}

const checkForward = (forward: string) => {
  const url = URL.canParse(forward) ? new URL(forward) : undefined
  return url !== undefined && (url.protocol === "http:" || url.protocol === "https:")
    ? Effect.succeed(url.href)
    : Effect.fail(
      new Render.UsageError({
        message: `--forward must be an http:// or https:// URL, got '${forward}'.`,
        fix: "Give the URL your receiver listens on, such as --forward http://127.0.0.1:3000/webhooks/lucca."
      })
    )
}

const shellQuote = (value: string) => /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`

/** One line per attempt: when, topic, event id, delivery id, then the answer. */
const attemptLine = (
  attempt: { readonly [key: string]: unknown },
  deliveries: ReadonlyMap<string, { readonly [key: string]: unknown }>
) => {
  const delivery = deliveries.get((attempt.webhookDelivery as { id: string }).id)
  const event = delivery?.event as { id: string; type: string } | undefined
  const answer = attempt.responseStatusCode === undefined
    ? `failed: ${attempt.errorResponseBody}`
    : `${attempt.responseStatusCode}${attempt.isSuccessful ? "" : ` ${String(attempt.errorResponseBody).slice(0, 80)}`}`
  const next = delivery?.status === "undelivered" ? ` (next attempt at ${delivery.nextAttemptAt})` : ""
  return `${attempt.createdAt}  ${event?.type ?? "?"} event ${event?.id ?? "?"} -> ${answer}${next}`
}

/**
 * The emulator's dispatcher delivers through the command's `HttpClient` (real sockets);
 * the emulator's account API, token endpoint and controls are served on loopback as by
 * `lucca emulator`.
 */
export const listen = (options: {
  readonly forward: string
  readonly topic: ReadonlyArray<string>
  readonly port: number
  readonly seed: string
}) =>
  Effect.gen(function*() {
    const forward = yield* checkForward(options.forward)
    const server = yield* FakeLuccaServer.FakeLuccaServer
    const fake = yield* FakeLucca.FakeLucca
    yield* FakeLuccaWebhooks.make
    const account = server.accounts[0]
    const { endpoint, secret } = yield* FakeLuccaWebhooks.createEndpoint({
      webhookUrl: forward,
      topics: options.topic.length > 0 ? options.topic : undefined
    })
    const example = JSON.stringify({ topic: "employee.updated", id: "1001" })
    yield* Console.log([
      "Forwarding the emulator's webhooks (Ctrl-C to stop)",
      "",
      `forward to:    ${forward}`,
      `endpoint:      ${endpoint.id}, topics ${(endpoint.topics as ReadonlyArray<string>).join(" ")}`,
      `account URL:   ${account.url}   (account "${account.name}")`,
      `token URL:     ${server.tokenUrl}`,
      "",
      "The receiver verifies the deliveries with this secret (the emulator's, for this endpoint only):",
      "",
      // the emulator's own secret for an endpoint it just made: printing it is the point
      `export LUCCA_WEBHOOK_SECRET=${shellQuote(Redacted.value(secret))}`,
      "",
      "Raise an event from another terminal:",
      "",
      `curl -X POST ${account.url}/fake-lucca/events -H 'content-type: application/json' -d '${example}'`,
      ""
    ].join("\n"))

    if (endpoint.status !== "active") {
      yield* Console.log(
        `waiting: ${forward} did not answer the activation challenge (GET ?echo=<value> must answer the value as text/plain); retrying every 2 s`
      )
      yield* FakeLuccaWebhooks.activate(endpoint.id).pipe(
        Effect.repeat({ schedule: Schedule.spaced(Duration.seconds(2)), until: (active) => active })
      )
    }
    yield* Console.log(`activated: ${forward} answered the challenge; deliveries follow`)

    // every attempt the emulator records, once
    let printed = 0
    const printNew = Effect.gen(function*() {
      const data = yield* fake.data()
      const deliveries = new Map(data.resources["webhook-deliveries"].map((d) => [d.id, d]))
      const mine = data.resources["webhook-delivery-attempts"].filter((a) => {
        const delivery = deliveries.get((a.webhookDelivery as { id: string }).id)
        return (delivery?.webhookEndpoint as { id: string } | undefined)?.id === endpoint.id
      })
      for (const attempt of mine.slice(printed)) yield* Console.log(attemptLine(attempt, deliveries))
      printed = mine.length
    })
    return yield* Effect.repeat(printNew, Schedule.spaced(Duration.millis(200))).pipe(Effect.andThen(Effect.never))
  }).pipe(
    Effect.scoped,
    Effect.provide(FakeLuccaServer.layerFake({
      port: options.port,
      // deliveries go through this command's HttpClient
      webhooks: false,
      fake: { seed: options.seed, rateLimit: false }
    }))
  )
