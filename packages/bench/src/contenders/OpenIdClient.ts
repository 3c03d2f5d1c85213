/**
 * `openid-client` v6: `clientCredentialsGrant` behind a check-then-fetch cache (the
 * library has no token cache, and its documentation shows the grant alone), and
 * `fetchProtectedResource` for the account API.
 *
 * @since 0.0.0
 */
import * as OpenId from "openid-client"
import * as Contender from "./Contender.js"

/**
 * A `Configuration` for the emulator's token endpoint (no discovery: Lucca publishes no
 * metadata document), with `client_secret_post` and plain HTTP allowed for loopback.
 *
 * @since 0.0.0
 * @category constructors
 */
export const configuration = (target: Contender.Target): OpenId.Configuration => {
  const config = new OpenId.Configuration(
    { issuer: new URL(target.tokenUrl).origin, token_endpoint: target.tokenUrl },
    Contender.credentials.clientId,
    undefined,
    OpenId.ClientSecretPost(Contender.credentials.clientSecret)
  )
  OpenId.allowInsecureRequests(config)
  return config
}

/**
 * The check-then-fetch cache over `clientCredentialsGrant`.
 *
 * @since 0.0.0
 * @category token caches
 */
export const cache = (
  config: OpenId.Configuration,
  options?: { readonly windowSeconds?: number; readonly log?: Contender.TokenLog }
): Contender.TokenCache => {
  let current: { readonly accessToken: string; readonly expiresAt: number } | undefined
  return {
    getToken: async () => {
      if (current === undefined || Date.now() >= current.expiresAt - (options?.windowSeconds ?? 0) * 1000) {
        const tokens = await Contender.logged(
          options?.log,
          () => OpenId.clientCredentialsGrant(config, { scope: Contender.scope })
        )
        current = { accessToken: tokens.access_token, expiresAt: Date.now() + (tokens.expiresIn() ?? 0) * 1000 }
      }
      return current.accessToken
    }
  }
}

/**
 * `fetchProtectedResource` (global `fetch`) with the token of `cache`.
 *
 * @since 0.0.0
 * @category requesters
 */
export const requester = (
  target: Contender.Target,
  config: OpenId.Configuration,
  tokens: Contender.TokenCache
): Contender.Requester => {
  const url = new URL(target.path, target.url)
  return Contender.promiseRequester(async () => {
    const headers = new Headers({ "api-version": Contender.apiVersion, accept: "application/json" })
    const response = await OpenId.fetchProtectedResource(config, await tokens.getToken(), url, "GET", null, headers)
    await response.text()
    return response.status
  })
}
