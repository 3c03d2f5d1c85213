/**
 * The emulator on real loopback sockets, for code that cannot take an `HttpClient`
 * layer (another process, a browser, curl). One port per account: each serves that
 * account's API under `/lucca-api/...`, the token endpoint at `/connect/token` and the
 * webhook controls under `/fake-lucca/` (see `FakeLuccaWebhooks`), and delivers webhooks
 * over real sockets to loopback hosts (never beyond the machine).
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type { ServeError } from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as FakeLucca from "./FakeLucca.js"
import * as FakeLuccaApp from "./FakeLuccaApp.js"
import * as FakeLuccaWebhooks from "./FakeLuccaWebhooks.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface AccountServer {
  /** The account name. */
  readonly name: string
  /** Where the account API is served, e.g. `http://127.0.0.1:41234` (use it as the account URL). */
  readonly url: string
  /** The token endpoint on the same port. */
  readonly tokenUrl: string
  readonly port: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The token endpoint, on the first account's port. */
  readonly tokenUrl: string
  /** The first account's URL. */
  readonly url: string
  readonly accounts: ReadonlyArray<AccountServer>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class FakeLuccaServer extends Context.Service<FakeLuccaServer, Service>()(
  "@effect-lucca/testing/FakeLuccaServer"
) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The first account's port; the next accounts take the following ports. Default `0`:
   * every account gets a free port.
   */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /**
   * Deliver webhooks over real sockets (`FakeLuccaWebhooks`), to loopback hosts only;
   * default `true`. Turn it off to run your own dispatcher.
   */
  readonly webhooks?: boolean | undefined
}

/**
 * A `Disconnect` fault: destroy the socket under the request, so the client sees the
 * connection drop with no answer at all.
 */
const dropConnection = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
  NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
  // nothing can be written any more; this response only ends the request fiber
  return Effect.succeed(HttpServerResponse.empty({ status: 500 }))
})

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * The emulator sends nothing beyond the machine: an endpoint on another host is
 * unreachable (its activation fails, so it stays `inactive`).
 */
const loopbackOnly = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    loopbackHosts.has(url.hostname)
      ? client.execute(request)
      : Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({
            request,
            description: `The emulator delivers only to loopback hosts, not ${url.host}`
          })
        })
      )
  )

const formatHost = (host: string) => host.includes(":") ? `[${host}]` : host

/**
 * Starts one HTTP server per account, on `options.host`, and stops them when the scope
 * closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options?: Options
): Effect.Effect<Service, ServeError, FakeLucca.FakeLucca | Scope.Scope> =>
  Effect.gen(function*() {
    const fake = yield* FakeLucca.FakeLucca
    const host = options?.host ?? "127.0.0.1"
    const accounts: Array<AccountServer> = []
    for (let i = 0; i < fake.accounts.length; i++) {
      const account = fake.accounts[i]
      const port = options?.port === undefined || options.port === 0 ? 0 : options.port + i
      const server = yield* NodeHttpServer.make(() => Http.createServer(), { port, host })
      const app = FakeLuccaApp.make({ account: account.name }).pipe(
        Effect.catchTag("ConnectionDropped", () => dropConnection),
        Effect.provideService(FakeLucca.FakeLucca, fake)
      )
      yield* server.serve(app)
      const address = server.address
      if (!("port" in address)) return yield* Effect.die(new Error("Fake Lucca listens on TCP only"))
      const url = `http://${formatHost(host)}:${address.port}`
      accounts.push({ name: account.name, url, tokenUrl: `${url}/connect/token`, port: address.port })
    }
    if (options?.webhooks !== false) {
      const client = Context.get(yield* Layer.build(NodeHttpClient.layerNodeHttp), HttpClient.HttpClient)
      yield* FakeLuccaWebhooks.make.pipe(Effect.provideService(HttpClient.HttpClient, loopbackOnly(client)))
    }
    return { tokenUrl: accounts[0].tokenUrl, url: accounts[0].url, accounts }
  })

/**
 * @example
 * ```ts
 * import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
 * import { Effect, Layer } from "effect"
 *
 * // two accounts on consecutive free ports, over one emulator
 * const program = Effect.gen(function*() {
 *   const server = yield* FakeLuccaServer.FakeLuccaServer
 *   console.log(server.accounts.map((account) => `${account.name}: ${account.url}`))
 * }).pipe(Effect.provide(FakeLuccaServer.layer().pipe(Layer.provide(FakeLucca.layer({ accounts: ["north", "south"] })))))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<FakeLuccaServer, ServeError, FakeLucca.FakeLucca> =>
  Layer.effect(FakeLuccaServer, make(options))

/**
 * A new emulator and its loopback servers, in one layer.
 *
 * @example
 * ```ts
 * import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
 * import { Effect } from "effect"
 *
 * // the emulator on a free loopback port, for a client that needs a real URL; the servers
 * // stop when the scope closes
 * const program = Effect.gen(function*() {
 *   const server = yield* FakeLuccaServer.FakeLuccaServer
 *   const response = yield* Effect.promise(() =>
 *     fetch(server.tokenUrl, {
 *       method: "POST",
 *       body: new URLSearchParams({
 *         grant_type: "client_credentials",
 *         client_id: FakeLucca.defaultClientId,
 *         client_secret: FakeLucca.defaultClientSecret,
 *         scope: "employees.readonly"
 *       })
 *     })
 *   )
 *   console.log(server.url, response.status)
 * }).pipe(Effect.provide(FakeLuccaServer.layerFake()))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (
  options?: Options & { readonly fake?: FakeLucca.Options | undefined }
): Layer.Layer<FakeLuccaServer | FakeLucca.FakeLucca, ServeError> =>
  Layer.provideMerge(layer(options), FakeLucca.layer(options?.fake))
