/**
 * The Effect 3 line's README example of a page that gets its tokens from the application's
 * own backend, ported: the backend holds the client secret (and checks the user's session),
 * the page holds only short-lived tokens. `BackendTokenProvider.test.ts` runs it.
 */
import { ClientCredentials, LuccaError, TokenProvider } from "@effect-lucca/core"
import { BrowserLucca } from "@effect-lucca/platform-browser"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"

/**
 * A cached `TokenProvider` over `GET endpoint`, which answers like a token endpoint
 * (`{ "access_token", "token_type", "expires_in", "scope" }`).
 */
export const backendTokenProvider = (endpoint: string) =>
  TokenProvider.cached(
    HttpClient.get(endpoint).pipe(
      Effect.mapError((error) =>
        new LuccaError.TokenRequestError({
          reason: "Transport",
          tokenUrl: endpoint,
          transient: true,
          description: error.message
        })
      ),
      // the same strict validation as a token endpoint's answer
      Effect.flatMap((response) =>
        ClientCredentials.processResponse(response, { tokenUrl: endpoint, requestedScopes: [] })
      ),
      Effect.provide(FetchHttpClient.layer)
    )
  )

/** A `LuccaClient` for the page: no secret, so the main-thread guard has nothing to refuse. */
export const layer = (options: { readonly accountUrl: string; readonly tokenEndpoint: string }) =>
  BrowserLucca.layerWithTokenProvider({ accountUrl: options.accountUrl }).pipe(
    Layer.provide(Layer.effect(TokenProvider.TokenProvider, backendTokenProvider(options.tokenEndpoint)))
  )
