/**
 * A scriptable fake of Lucca's token host and one account host, as an `HttpClient`.
 * Each test sets the handlers it needs; requests are recorded for assertions.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

export const tokenUrl = "https://accounts.world.luccasoftware.com/connect/token"
export const accountUrl = "https://example.ilucca.net"
export const clientId = "client-id-1"
export const clientSecret = "s3cr3t-client-secret-value"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: string
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const problem = (status: number, title: string, detail?: string): Response =>
  new Response(JSON.stringify({ type: `https://httpstatuses.io/${status}`, title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json" }
  })

export const tokenFor = (n: number) => `token-${n}-${"x".repeat(16)}`

export const okToken = (n: number, expiresIn = 1800) =>
  json(200, { access_token: tokenFor(n), token_type: "Bearer", expires_in: expiresIn })

export const makeFake = () => {
  const state = {
    tokenRequests: [] as Array<Recorded>,
    apiRequests: [] as Array<Recorded>,
    onToken: (n: number, _request: Recorded): Effect.Effect<Response> => Effect.succeed(okToken(n)),
    onApi: (_request: Recorded): Effect.Effect<Response> => Effect.succeed(json(200, { ok: true }))
  }
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const recorded: Recorded = { method: request.method, url, headers: { ...request.headers }, body }
      if (url.href === tokenUrl) {
        state.tokenRequests.push(recorded)
        return HttpClientResponse.fromWeb(request, yield* state.onToken(state.tokenRequests.length, recorded))
      }
      state.apiRequests.push(recorded)
      return HttpClientResponse.fromWeb(request, yield* state.onApi(recorded))
    })
  )
  return { state, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

export type Fake = ReturnType<typeof makeFake>

export const credentials = {
  clientId,
  clientSecret: Redacted.make(clientSecret),
  scopes: ["employees.readonly", "departments.readonly"],
  tokenUrl
}

/** The bearer token a recorded request carried. */
export const bearer = (request: Recorded) => request.headers["authorization"]?.replace(/^Bearer /, "")

/**
 * Runs `effect` until its result satisfies `predicate`, yielding in between so that forked
 * fibers (such as a background refresh) make progress. Bounded: returns the last result.
 */
export const pollUntil = <A, E>(
  effect: Effect.Effect<A, E>,
  predicate: (a: A) => boolean,
  rounds = 10_000
): Effect.Effect<A, E> =>
  Effect.flatMap(effect, (a) =>
    predicate(a) || rounds === 0
      ? Effect.succeed(a)
      : Effect.andThen(Effect.yieldNow, pollUntil(effect, predicate, rounds - 1)))

/** Lets forked fibers run until `predicate` holds; dies when it never does. */
export const eventually = (predicate: () => boolean): Effect.Effect<void> =>
  pollUntil(Effect.sync(predicate), (ok) => ok).pipe(
    Effect.flatMap((ok) => ok ? Effect.void : Effect.die(new Error("condition not reached")))
  )
