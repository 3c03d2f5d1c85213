/**
 * `simple-oauth2`'s client credentials grant with the cache its README shows: keep the
 * `AccessToken`, and fetch a new one when `token.expired(window)` says so.
 *
 * @see https://github.com/lelylan/simple-oauth2#client-credentials-grant-type
 * @since 0.0.0
 */
import { ClientCredentials } from "simple-oauth2"
import type { AccessToken } from "simple-oauth2"
import * as Contender from "./Contender.js"

/**
 * The check-then-fetch cache. Concurrent callers that find the token missing or expired
 * each send their own request.
 *
 * @since 0.0.0
 * @category token caches
 */
export const cache = (
  target: Contender.Target,
  options?: { readonly windowSeconds?: number; readonly log?: Contender.TokenLog }
): Contender.TokenCache => {
  const tokenUrl = new URL(target.tokenUrl)
  const client = new ClientCredentials({
    client: { id: Contender.credentials.clientId, secret: Contender.credentials.clientSecret },
    auth: { tokenHost: tokenUrl.origin, tokenPath: tokenUrl.pathname },
    // Lucca documents client_secret_post
    options: { authorizationMethod: "body" }
  })
  let token: AccessToken | undefined
  return {
    getToken: async () => {
      if (token === undefined || token.expired(options?.windowSeconds ?? 0)) {
        token = await Contender.logged(options?.log, () => client.getToken({ scope: Contender.scope }))
      }
      return token.token.access_token as string
    }
  }
}
