/**
 * `undici.request`: the floor of the overhead scenario (a static header), a one-shot
 * token request, and the cache anyone writes first.
 *
 * @since 0.0.0
 */
import * as Undici from "undici"
import * as Contender from "./Contender.js"

/**
 * One client credentials request, for contenders that take a token made elsewhere.
 *
 * @since 0.0.0
 * @category tokens
 */
export const fetchToken = async (
  tokenUrl: string
): Promise<{ readonly accessToken: string; readonly expiresIn: number }> => {
  const response = await Undici.request(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: Contender.credentials.clientId,
      client_secret: Contender.credentials.clientSecret,
      scope: Contender.scope
    }).toString()
  })
  const body = await response.body.json() as { access_token: string; expires_in: number }
  if (response.statusCode !== 200) throw new Error(`token request failed with ${response.statusCode}`)
  return { accessToken: body.access_token, expiresIn: body.expires_in }
}

/**
 * The cache anyone writes first: a variable, an expiry check, a fetch.
 *
 * @since 0.0.0
 * @category token caches
 */
export const naiveCache = (target: Contender.Target): Contender.TokenCache => {
  let current: { readonly accessToken: string; readonly expiresAt: number } | undefined
  return {
    getToken: async () => {
      if (current === undefined || Date.now() >= current.expiresAt) {
        const token = await fetchToken(target.tokenUrl)
        current = { accessToken: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000 }
      }
      return current.accessToken
    }
  }
}

/**
 * `undici.request` with a static header: the floor.
 *
 * @since 0.0.0
 * @category requesters
 */
export const staticRequester = (target: Contender.Target, accessToken: string): Contender.Requester => {
  const url = new URL(target.path, target.url)
  const headers = Contender.apiHeaders(accessToken)
  return Contender.promiseRequester(async () => {
    const response = await Undici.request(url, { method: "GET", headers })
    await response.body.text()
    return response.statusCode
  })
}

/**
 * `undici.request` with the token of any cache, read before each request.
 *
 * @since 0.0.0
 * @category requesters
 */
export const cachedRequester = (target: Contender.Target, cache: Contender.TokenCache): Contender.Requester => {
  const url = new URL(target.path, target.url)
  return Contender.promiseRequester(async () => {
    const response = await Undici.request(url, { method: "GET", headers: Contender.apiHeaders(await cache.getToken()) })
    await response.body.text()
    return response.statusCode
  })
}
