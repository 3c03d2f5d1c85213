/**
 * This library: the cached `TokenProvider` and the `LuccaClient` on Node, built from
 * `NodeLucca`'s layers as a user would.
 *
 * @since 0.0.0
 */
import { LuccaClient, LuccaTenants, TokenProvider } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Contender from "./Contender.js"
import { effectRequester } from "./EffectPlatform.js"

const options = (target: Contender.Target): LuccaClient.Options => ({
  clientId: Contender.credentials.clientId,
  clientSecret: Redacted.make(Contender.credentials.clientSecret),
  scopes: Contender.credentials.scopes,
  accountUrl: target.url,
  tokenUrl: target.tokenUrl,
  apiVersion: Contender.apiVersion
})

/** NodeLucca's undici client, timing every token request into `log`. */
const loggedHttpClient = (tokenUrl: string, log: Contender.TokenLog) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (effect, request) =>
        request.url !== tokenUrl ? effect : Effect.suspend(() => {
          const start = performance.now()
          return Effect.ensuring(
            effect,
            Effect.sync(() =>
              log.push([start, performance.now()])
            )
          )
        })))
  ).pipe(Layer.provide(NodeLucca.layerHttpClient))

/**
 * `callers` concurrent `TokenProvider.get` on a cold `NodeLucca.layerTokenProvider`.
 *
 * @since 0.0.0
 * @category stampede
 */
export const tokenProviderStampede = async (
  target: Contender.Target,
  callers: number
): Promise<Contender.Stampede> => {
  const runtime = ManagedRuntime.make(NodeLucca.layerTokenProvider(options(target)))
  try {
    const provider = await runtime.runPromise(TokenProvider.TokenProvider)
    const start = performance.now()
    const tokens = await runtime.runPromise(
      Effect.all(Array.from({ length: callers }, () => provider.get), { concurrency: "unbounded" })
    )
    return { served: tokens.length, millis: performance.now() - start }
  } finally {
    await runtime.dispose()
  }
}

/**
 * A `LuccaClient` (pacing off unless asked) as a requester of the target's GET. With a
 * `log`, the same layers are built over an `HttpClient` that times token requests.
 *
 * @since 0.0.0
 * @category requesters
 */
export const requester = async (
  target: Contender.Target,
  settings?: {
    readonly rateLimit?: LuccaClient.RateLimitOptions | false | undefined
    readonly log?: Contender.TokenLog | undefined
  }
): Promise<Contender.Requester & { readonly warmToken: () => Promise<void> }> => {
  const clientOptions: LuccaClient.Options = { ...options(target), rateLimit: settings?.rateLimit ?? false }
  const layer = settings?.log === undefined
    ? NodeLucca.layer(clientOptions)
    : Layer.provide(LuccaClient.layer(clientOptions), loggedHttpClient(target.tokenUrl, settings.log))
  const runtime = ManagedRuntime.make(layer)
  const client = await runtime.runPromise(LuccaClient.LuccaClient)
  const once = client.execute(HttpClientRequest.get(target.path)).pipe(
    Effect.flatMap((response) => Effect.as(response.text, response.status))
  )
  return {
    ...effectRequester(runtime, once),
    // the client does not hand its token provider out: one request fetches the token
    warmToken: () => runtime.runPromise(Effect.asVoid(once))
  }
}

/**
 * `callers` concurrent requests through a cold `LuccaClient`.
 *
 * @since 0.0.0
 * @category stampede
 */
export const clientStampede = async (target: Contender.Target, callers: number): Promise<Contender.Stampede> => {
  const client = await requester(target)
  try {
    const start = performance.now()
    const served = await client.batch(callers, callers)
    return { served, millis: performance.now() - start }
  } finally {
    await client.close()
  }
}

/**
 * `NodeLucca.layerTenants` over the target: every tenant is a client of its own (its own
 * token provider, its own token) on the target's account, pacing off (they all share one
 * origin here).
 *
 * @since 0.0.0
 * @category tenants
 */
export const tenants = async (target: Contender.Target, idleTimeToLive: Duration.DurationInput): Promise<{
  /** One GET through the client of `tenant` (built if need be); resolves with the status. */
  readonly once: (tenant: string) => Promise<number>
  /** How many tenant clients are built. */
  readonly built: () => Promise<number>
  /** Releases every tenant client now. */
  readonly releaseAll: () => Promise<void>
  readonly close: () => Promise<void>
}> => {
  const runtime = ManagedRuntime.make(
    NodeLucca.layerTenants(() => ({ ...options(target), rateLimit: false }), { idleTimeToLive })
  )
  const service = await runtime.runPromise(LuccaTenants.LuccaTenants)
  return {
    once: (tenant) =>
      runtime.runPromise(
        service.use(tenant, (client) =>
          client.execute(HttpClientRequest.get(target.path)).pipe(
            Effect.flatMap((response) => Effect.as(response.text, response.status))
          ))
      ),
    built: () => runtime.runPromise(Effect.map(service.tenants, (keys) => keys.length)),
    releaseAll: () =>
      runtime.runPromise(
        Effect.flatMap(service.tenants, (keys) => Effect.forEach(keys, service.invalidate, { discard: true }))
      ),
    close: () => runtime.dispose()
  }
}
