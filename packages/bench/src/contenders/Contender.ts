/**
 * What the contenders share: the target they are pointed at, the two shapes they take
 * (a token cache, a requester), and the promise plumbing of the promise-based ones.
 *
 * Each library lives in its own module, loaded with `import()` by the measurement that
 * needs it, so that a measuring process holds only the code it measures: an `undici`
 * measurement does not carry Effect's modules in its heap, nor the other way round.
 *
 * @since 0.0.0
 */
import * as Emulator from "../Emulator.js"

/**
 * What every contender is pointed at.
 *
 * @since 0.0.0
 * @category models
 */
export interface Target extends Emulator.Address {
  /** The path of the cheap GET every requester sends, e.g. `/lucca-api/legal-entities/101`. */
  readonly path: string
}

/**
 * The `Api-Version` every contender sends, so that the emulator does the same work for all.
 *
 * @since 0.0.0
 * @category constants
 */
export const apiVersion = "2024-11-01"

/**
 * The client credentials of the emulator's default application.
 *
 * @since 0.0.0
 * @category constants
 */
export const credentials = Emulator.credentials

/**
 * The scopes requested, space-delimited.
 *
 * @since 0.0.0
 * @category constants
 */
export const scope = credentials.scopes.join(" ")

/**
 * The headers of the account API request, for contenders that set them by hand.
 *
 * @since 0.0.0
 * @category constants
 */
export const apiHeaders = (accessToken: string): Record<string, string> => ({
  authorization: `Bearer ${accessToken}`,
  "api-version": apiVersion,
  accept: "application/json"
})

/**
 * When each token request started and ended (`performance.now()` milliseconds), as seen
 * by the client that sent it.
 *
 * @since 0.0.0
 * @category models
 */
export type TokenLog = Array<readonly [start: number, end: number]>

/**
 * @since 0.0.0
 * @category models
 */
export interface TokenCache {
  /** The access token to use now, fetching one when the cache says so. */
  readonly getToken: () => Promise<string>
}

/**
 * @since 0.0.0
 * @category models
 */
export interface Requester {
  /** One GET of the target with its body read; resolves with the status. */
  readonly once: () => Promise<number>
  /** `count` GETs, at most `concurrency` at a time; resolves with how many answered 200. */
  readonly batch: (count: number, concurrency: number) => Promise<number>
  readonly close: () => Promise<void>
}

/**
 * How a contender's token cache answers a stampede: how many callers were served, and
 * how long the concurrent calls took.
 *
 * @since 0.0.0
 * @category models
 */
export interface Stampede {
  readonly served: number
  readonly millis: number
}

/**
 * Runs `fetch`, timing it into `log` when there is one.
 *
 * @since 0.0.0
 * @category combinators
 */
export const logged = async <A>(log: TokenLog | undefined, fetch: () => Promise<A>): Promise<A> => {
  if (log === undefined) return fetch()
  const start = performance.now()
  try {
    return await fetch()
  } finally {
    log.push([start, performance.now()])
  }
}

/**
 * A requester from one promise-returning request: `batch` runs `concurrency` workers.
 *
 * @since 0.0.0
 * @category constructors
 */
export const promiseRequester = (once: () => Promise<number>, close?: () => Promise<void>): Requester => ({
  once,
  batch: async (count, concurrency) => {
    let next = 0
    let ok = 0
    const worker = async () => {
      while (next < count) {
        next++
        if (await once() === 200) ok++
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
    return ok
  },
  close: close ?? (async () => {})
})

/**
 * `callers` concurrent `getToken` calls on a cold cache.
 *
 * @since 0.0.0
 * @category combinators
 */
export const stampede = async (cache: TokenCache, callers: number): Promise<Stampede> => {
  const start = performance.now()
  const tokens = await Promise.all(Array.from({ length: callers }, () => cache.getToken()))
  return { served: tokens.filter((token) => token.length > 0).length, millis: performance.now() - start }
}
