import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as LuccaResources from "../LuccaResources.js"
import type * as LuccaWebhooks from "../LuccaWebhooks.js"
import { WebhookError } from "../LuccaWebhooks.js"
import * as Http from "./http.js"

/** @internal */
export const timestampHeader = "Lucca-Timestamp"

/** @internal */
export const signatureHeader = "Lucca-Signature"

/** @internal */
export const defaultTolerance = Duration.minutes(5)

const utf8 = new TextEncoder()

/** A header by name, whatever its case; a repeated header is no single value, so it counts as absent. */
export const headerOf = (headers: LuccaWebhooks.WebhookRequest["headers"], name: string): string | undefined => {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).forEach === "function") {
    return (headers as Headers).get(name) ?? undefined
  }
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue
    if (typeof value === "string") return value
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0]
    return undefined
  }
  return undefined
}

const bytesOf = (body: Uint8Array | string): Uint8Array => typeof body === "string" ? utf8.encode(body) : body

/** `timestamp + "." + body`, the message Lucca signs: the header value and the body bytes exactly as received. */
const signedMessage = (timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> => {
  const prefix = utf8.encode(`${timestamp}.`)
  const message = new Uint8Array(prefix.length + body.length)
  message.set(prefix, 0)
  message.set(body, prefix.length)
  return message
}

/** HMAC-SHA256 with Web Crypto, which browsers, workers, Deno, Bun and Node all have. */
const hmacSha256 = (secret: Redacted.Redacted<string>, message: Uint8Array<ArrayBuffer>): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => {
    const key = await globalThis.crypto.subtle.importKey(
      "raw",
      utf8.encode(Redacted.value(secret)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"]
    )
    return new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, message))
  })

/**
 * Equality whose time depends only on the lengths (which are public: a SHA-256 MAC is
 * 32 bytes), never on where the first difference is.
 */
const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i]
  return difference === 0
}

/** @internal */
export const sign = (
  timestamp: string,
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>
): Effect.Effect<string> => Effect.map(hmacSha256(secret, signedMessage(timestamp, bytesOf(body))), Base64.encode)

/** UTC ISO 8601 as Lucca sends it (`2025-01-01T08:34:23Z`); fractions and offsets are read too. */
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i

const parseTimestamp = (value: string): number | undefined => {
  if (!isoDateTime.test(value.trim())) return undefined
  const millis = Date.parse(value.trim())
  return Number.isNaN(millis) ? undefined : millis
}

const decodeEvent = Schema.decodeUnknownResult(LuccaResources.Event)

const textDecoder = new TextDecoder("utf-8", { fatal: true })

// `fatal`: a body that is not UTF-8 is refused, not read with replacement characters
const decodeUtf8 = Option.liftThrowable((bytes: Uint8Array) => textDecoder.decode(bytes))

/** @internal */
export const parseEvent = (body: Uint8Array | string): Result.Result<LuccaResources.Event, WebhookError> => {
  const text = typeof body === "string" ? Option.some(body) : decodeUtf8(body)
  const json = Option.isSome(text) ? Http.parseJson(text.value) : undefined
  if (json === undefined) {
    return Result.fail(new WebhookError({ reason: "InvalidPayload", description: "The body is not UTF-8 JSON." }))
  }
  return Result.mapError(decodeEvent(json.value), (error) => {
    const { message, path } = Http.describeIssue(error.issue)
    return new WebhookError({
      reason: "InvalidPayload",
      description: `The body is not a Lucca event: ${path === "" ? "the event" : path} ${message}`
    })
  })
}

/**
 * The order: both headers present, then the signature (so that nothing about the
 * timestamp is revealed to a sender without the secret), then the replay window, then
 * the payload.
 *
 * @internal
 */
export const verifySignature = (
  request: LuccaWebhooks.WebhookRequest,
  secret: Redacted.Redacted<string>,
  options?: LuccaWebhooks.VerifyOptions
): Effect.Effect<void, WebhookError> =>
  Effect.gen(function*() {
    const timestamp = headerOf(request.headers, timestampHeader)
    if (timestamp === undefined || timestamp === "") {
      return yield* new WebhookError({
        reason: "MissingHeader",
        header: timestampHeader,
        description: `The ${timestampHeader} header is missing.`
      })
    }
    const signature = headerOf(request.headers, signatureHeader)
    if (signature === undefined || signature === "") {
      return yield* new WebhookError({
        reason: "MissingHeader",
        header: signatureHeader,
        description: `The ${signatureHeader} header is missing.`
      })
    }
    const expected = yield* hmacSha256(secret, signedMessage(timestamp, bytesOf(request.body)))
    // a malformed value is compared too (against nothing it can equal): no early answer
    const received = Result.getOrElse(Base64.decode(signature.trim()), () => new Uint8Array(0))
    if (!constantTimeEqual(received, expected)) {
      return yield* new WebhookError({
        reason: "InvalidSignature",
        header: signatureHeader,
        description: received.length === expected.length
          ? "The signature does not match the body and timestamp under this secret."
          : `The signature is not the base64 of a ${expected.length}-byte HMAC-SHA256.`
      })
    }
    const tolerance = Duration.fromInputUnsafe(options?.tolerance ?? defaultTolerance)
    const toleranceMillis = Duration.toMillis(tolerance)
    const sentAt = parseTimestamp(timestamp)
    if (sentAt === undefined) {
      return yield* new WebhookError({
        reason: "StaleTimestamp",
        header: timestampHeader,
        timestamp,
        toleranceMillis,
        description: `The ${timestampHeader} header is not an ISO 8601 date-time.`
      })
    }
    const now = yield* Clock.currentTimeMillis
    // both ways: a timestamp from the future is as suspect as an old one
    if (Math.abs(now - sentAt) > toleranceMillis) {
      return yield* new WebhookError({
        reason: "StaleTimestamp",
        header: timestampHeader,
        timestamp,
        toleranceMillis,
        description: `${timestamp} is ${Duration.format(Duration.millis(Math.abs(now - sentAt)))} ${
          sentAt < now ? "old" : "ahead"
        }, beyond the tolerance of ${Duration.format(tolerance)}.`
      })
    }
  })

/** @internal */
export const verify = (
  request: LuccaWebhooks.WebhookRequest,
  secret: Redacted.Redacted<string>,
  options?: LuccaWebhooks.VerifyOptions
): Effect.Effect<LuccaResources.Event, WebhookError> =>
  Effect.flatMap(verifySignature(request, secret, options), () => Effect.fromResult(parseEvent(request.body)))
