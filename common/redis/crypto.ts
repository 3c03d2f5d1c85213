/**
 * Encryption of stored tokens: AES-256-GCM through WebCrypto, with keys derived from the
 * client secret by HKDF-SHA-256 (RFC 5869), so that a reader of Redis who lacks the secret
 * can neither use a token nor recognise one.
 *
 * Plain WebCrypto and no Effect, so that both lines run the same code (each wraps these
 * promises in its own Effect); `pnpm generate` copies this file into the redis package of
 * each line.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5869 HKDF
 * @internal
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const salt = encoder.encode("@effect-lucca/redis token store v1")

/** @internal */
export interface Keys {
  /** AES-GCM key of the stored tokens. */
  readonly encryption: CryptoKey
  /** HMAC key of token ids: an id names a token without revealing it. */
  readonly id: CryptoKey
}

/**
 * Base64url without padding (RFC 4648 §5), as Effect's `Encoding.encodeBase64Url`.
 *
 * @internal
 */
export const encodeBase64Url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * The bytes of a base64url text (padded or not), or `undefined` when it is not one.
 *
 * @internal
 */
export const decodeBase64Url = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) return undefined
  const binary = atob(text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * The keys of one client application. `context` (the store key) goes into the HKDF info,
 * so that every client application and scope set gets its own keys. The caller reveals
 * the secret for this call only.
 *
 * @internal
 */
export const deriveKeys = async (secret: string, context: string): Promise<Keys> => {
  const subtle = globalThis.crypto.subtle
  const ikm = await subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
  const hkdf = (purpose: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt,
    info: encoder.encode(`${purpose}\n${context}`)
  })
  const [encryption, id] = await Promise.all([
    subtle.deriveKey(hkdf("encryption"), ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]),
    subtle.deriveKey(hkdf("token id"), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"])
  ])
  return { encryption, id }
}

/**
 * A keyed id of a token (HMAC-SHA-256, 128 bits): what a compare-and-delete compares.
 *
 * @internal
 */
export const tokenId = async (keys: Keys, token: string): Promise<string> =>
  encodeBase64Url(
    new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", keys.id, encoder.encode(token))).subarray(0, 16)
  )

/**
 * `iv.ciphertext` in base64url; `aad` (the store key) binds the ciphertext to its key, so
 * that a value copied under another key does not decrypt.
 *
 * @internal
 */
export const encrypt = async (keys: Keys, plaintext: string, aad: string): Promise<string> => {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
    keys.encryption,
    encoder.encode(plaintext)
  )
  return `${encodeBase64Url(iv)}.${encodeBase64Url(new Uint8Array(sealed))}`
}

/**
 * The plaintext, or `undefined` when the value was not sealed with these keys (another
 * secret, a tampered value, another key's value).
 *
 * @internal
 */
export const decrypt = async (keys: Keys, sealed: string, aad: string): Promise<string | undefined> => {
  const parts = sealed.split(".")
  if (parts.length !== 2) return undefined
  const iv = decodeBase64Url(parts[0])
  const data = decodeBase64Url(parts[1])
  if (iv === undefined || iv.length !== 12 || data === undefined) return undefined
  try {
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
      keys.encryption,
      data
    )
    return decoder.decode(plain)
  } catch {
    return undefined
  }
}

/**
 * A short, fixed-length name for a store key (SHA-256), so that keys stay small whatever
 * the scopes.
 *
 * @internal
 */
export const digest = async (text: string): Promise<string> =>
  encodeBase64Url(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text))))
