/**
 * Encryption of stored tokens: AES-256-GCM through WebCrypto, with keys derived from the
 * client secret by HKDF-SHA-256 (RFC 5869), so that a reader of Redis who lacks the secret
 * can neither use a token nor recognise one.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
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

/**
 * A keyed id of a token (HMAC-SHA-256, 128 bits): what a compare-and-delete compares.
 *
 * @internal
 */
export const tokenId = (keys: Keys, token: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () =>
    Encoding.encodeBase64Url(
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
    return `${Encoding.encodeBase64Url(iv)}.${Encoding.encodeBase64Url(new Uint8Array(sealed))}`
  })

/**
 * The plaintext, or `undefined` when the value was not sealed with these keys (another
 * secret, a tampered value).
 *
 * @internal
 */
export const decrypt = (keys: Keys, sealed: string, aad: string): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    const [iv, data] = sealed.split(".").map((part) => Encoding.decodeBase64Url(part))
    if (iv === undefined || data === undefined || Either.isLeft(iv) || Either.isLeft(data)) return undefined
    try {
      const plain = await globalThis.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: new Uint8Array(iv.right), additionalData: encoder.encode(aad) },
        keys.encryption,
        new Uint8Array(data.right)
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
    Encoding.encodeBase64Url(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text))))
  )
