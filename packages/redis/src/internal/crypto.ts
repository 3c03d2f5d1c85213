/**
 * Encryption of stored tokens: AES-256-GCM through WebCrypto, with keys derived from the
 * client secret by HKDF-SHA-256 (RFC 5869), so that a reader of Redis who lacks the secret
 * can neither use a token nor recognise one.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

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
 * The keys of one client application. `context` (the store key) goes into the HKDF info,
 * so that every client application and scope set gets its own keys.
 *
 * @internal
 */
export const deriveKeys = (secret: Redacted.Redacted<string>, context: string): Effect.Effect<Keys> =>
  Effect.promise(async () => {
    const subtle = globalThis.crypto.subtle
    const ikm = await subtle.importKey("raw", encoder.encode(Redacted.value(secret)), "HKDF", false, ["deriveKey"])
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
  })

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * A keyed id of a token (HMAC-SHA-256, 128 bits): what a compare-and-delete compares.
 *
 * @internal
 */
export const tokenId = (keys: Keys, token: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () =>
    toBase64Url(
      new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", keys.id, encoder.encode(Redacted.value(token))))
        .subarray(0, 16)
    )
  )

/**
 * `iv.ciphertext` in base64url; `aad` (the store key) binds the ciphertext to its key, so
 * that a value copied under another key does not decrypt.
 *
 * @internal
 */
export const encrypt = (keys: Keys, plaintext: string, aad: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
    const sealed = await globalThis.crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
      keys.encryption,
      encoder.encode(plaintext)
    )
    return `${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`
  })

/**
 * The plaintext, or `undefined` when the value was not sealed with these keys (another
 * secret, a tampered value).
 *
 * @internal
 */
export const decrypt = (keys: Keys, sealed: string, aad: string): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    const [iv, data] = sealed.split(".")
    if (iv === undefined || data === undefined) return undefined
    try {
      const plain = await globalThis.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(aad) },
        keys.encryption,
        fromBase64Url(data)
      )
      return decoder.decode(plain)
    } catch {
      return undefined
    }
  })

/**
 * A short, fixed-length name for a store key (SHA-256), so that keys stay small whatever
 * the scopes.
 *
 * @internal
 */
export const digest = (text: string): Effect.Effect<string> =>
  Effect.promise(async () =>
    toBase64Url(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text))))
  )
