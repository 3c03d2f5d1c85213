/**
 * The progress line of long listings, on standard error when it is a terminal: items so
 * far, pages, rate, and whether the listing is waiting for the account's rate budget.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"

/** What the listing reports as it goes. */
export interface Counters {
  items: number
  pages: number
  /** Requests sent and not yet answered. */
  inFlight: number
  /** When the last page arrived (epoch ms), or when the listing started. */
  lastPageAt: number
}

/** A page is late by this much when the client is waiting for the pacing budget. */
const waitingAfter = Duration.millis(500)

export const line = (counters: Counters, startedAt: number, now: number): string => {
  const seconds = Math.max((now - startedAt) / 1000, 0.001)
  const rate = (counters.items / seconds).toFixed(1)
  // pacing happens above the transport: no request out and none for a while means the
  // next page waits for the budget
  const waiting = counters.inFlight === 0 && now - counters.lastPageAt > Duration.toMillis(waitingAfter)
  return `${counters.items} items, ${counters.pages} pages, ${rate} items/s${
    waiting ? ", waiting for the rate budget" : ""
  }`
}

/**
 * Redraws the line every 200 ms while `effect` runs, from its second second on (a short
 * listing shows none), then erases it. `write` is the terminal (standard error).
 */
export const around = <A, E, R>(
  counters: Counters,
  write: (text: string) => void,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const draw = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => Effect.sync(() => write(`\r\x1b[K${line(counters, startedAt, now)}`))
    )
    const drawing = yield* Effect.forkChild(
      Effect.delay(Effect.repeat(draw, Schedule.spaced(Duration.millis(200))), Duration.seconds(1))
    )
    return yield* effect.pipe(
      Effect.ensuring(Effect.andThen(Fiber.interrupt(drawing), Effect.sync(() => write("\r\x1b[K"))))
    )
  })
