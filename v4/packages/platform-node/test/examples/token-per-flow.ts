/**
 * Ported from the Effect 3 line's `examples/src/token-per-flow.ts` (what Effect 4 changes only).
 *
 * Lucca calls it good practice to request a new token for each integration flow. Here,
 * three flows each get a fresh token with `ClientCredentials.requestToken` and a client
 * over it, next to a long-running cached client that serves every flow with one token.
 */
import { ClientCredentials, LuccaClient, TokenProvider } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Department } from "./Schemas.js"
import * as Target from "./Target.js"

export const scopes = ["departments.readonly"]

const flow = (client: LuccaClient.Service) =>
  Stream.runCount(client.paginate("/lucca-api/departments", Department, { limit: 100 }))

export const program = Effect.gen(function*() {
  const target = yield* Target.Target
  const app = yield* target.application("Nightly department export", scopes)
  const before = yield* target.tokenRequests

  // a fresh token per flow: the token lives as long as the flow
  for (const name of ["export", "reconcile", "report"]) {
    const count = yield* Effect.gen(function*() {
      const token = yield* ClientCredentials.requestToken({ ...app, scopes })
      const client = yield* LuccaClient.make({ ...app, tokenProvider: TokenProvider.makeStatic(token) })
      return yield* flow(client)
    }).pipe(Effect.provide(NodeLucca.layerHttpClient))
    yield* Console.log(`  flow "${name}" with its own token: ${count} departments`)
  }
  const perFlow = yield* target.tokenRequests

  // a long-running client: one cached token, refreshed ahead of expiry, for every flow
  yield* Effect.gen(function*() {
    const client = yield* LuccaClient.make({ ...app, scopes })
    for (let i = 0; i < 3; i++) yield* flow(client)
  }).pipe(Effect.scoped, Effect.provide(NodeLucca.layerHttpClient))
  const cached = yield* target.tokenRequests

  const tokens = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? undefined : to - from
  yield* Console.log(
    `  token requests: ${tokens(before, perFlow) ?? "?"} for three flows with fresh tokens, ${
      tokens(perFlow, cached) ?? "?"
    } for three flows on the cached client`
  )
  return { perFlowTokens: tokens(before, perFlow), cachedTokens: tokens(perFlow, cached) }
})
