/**
 * An OAuth 2.0 access token as the client holds it: the secret value (always `Redacted`),
 * the scopes it was granted and when it expires. The expiry logic lives here, on the value.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * Lucca's tokens live 30 minutes; this is assumed when a response omits `expires_in`.
 *
 * @see https://developers.lucca.fr/ (Get Started With Authentication)
 * @since 0.1.0
 * @category constants
 */
export const defaultLifetime: Duration.Duration = Duration.seconds(1800)

/**
 * The shortest `expires_in` accepted: `0` would mean a token request for every call (the
 * cache's margins shrink with short lifetimes, so a 1 s token is requested about twice a
 * second at most).
 *
 * @since 0.1.0
 * @category constants
 */
export const minLifetime: Duration.Duration = Duration.seconds(1)

/**
 * The longest `expires_in` accepted: a token the client would never refresh is refused.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxLifetime: Duration.Duration = Duration.hours(24)

/**
 * An RFC 6750 `b64token`: what may follow `Bearer ` in an `Authorization` header. Anything
 * else (spaces, control characters, a line break that would start another header) is
 * refused before it is ever sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category schemas
 */
export const B64Token = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9\-._~+/]+=*$/, { message: "must be an RFC 6750 b64token" })
)

/**
 * The successful token response on the wire, with its RFC 6749 §5.1 names. The token is
 * decoded straight into a `Redacted` (`Schema.RedactedFromValue`: Effect 4's
 * `Schema.Redacted` no longer decodes a plain string), so it is never held as a plain
 * string. `expires_in` must lie between {@link minLifetime} and {@link maxLifetime}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category schemas
 */
export const TokenResponse = Schema.Struct({
  access_token: Schema.RedactedFromValue(B64Token),
  token_type: Schema.String.check(
    Schema.makeFilter((type) => type.toLowerCase() === "bearer", { message: "must be \"Bearer\"" })
  ),
  expires_in: Schema.optional(
    Schema.Number.check(
      Schema.isBetween({
        minimum: Duration.toSeconds(minLifetime),
        maximum: Duration.toSeconds(maxLifetime)
      })
    )
  ),
  scope: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category schemas
 */
export type TokenResponse = typeof TokenResponse.Type

/**
 * @since 0.1.0
 * @category models
 */
export class AccessToken extends Schema.Class<AccessToken>("@effect-lucca/core/AccessToken")({
  /** The token itself; `Redacted` so that it never shows in logs or errors. */
  value: Schema.Redacted(Schema.NonEmptyString),
  /** Always `Bearer` (RFC 6750). */
  tokenType: Schema.Literal("Bearer"),
  /** The granted scopes: the response's `scope`, or the requested ones when it has none. */
  scopes: Schema.Array(Schema.String),
  /** When the client received the token, in epoch milliseconds (from `Clock`). */
  issuedAt: Schema.Number,
  /** `issuedAt` plus `expires_in`, in epoch milliseconds. */
  expiresAt: Schema.Number
}) {
  /**
   * How long the token was valid for when it was received.
   *
   * @since 0.1.0
   */
  get lifetime(): Duration.Duration {
    return Duration.millis(Math.max(0, this.expiresAt - this.issuedAt))
  }
}

/**
 * Builds a token from the wire response, received at `now` (epoch milliseconds).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponse = (
  response: TokenResponse,
  options: { readonly now: number; readonly requestedScopes: ReadonlyArray<string> }
): AccessToken =>
  new AccessToken({
    value: response.access_token,
    tokenType: "Bearer",
    scopes: response.scope === undefined
      ? [...options.requestedScopes]
      : response.scope.split(" ").filter((s) => s.length > 0),
    issuedAt: options.now,
    expiresAt: options.now + (response.expires_in === undefined
      ? Duration.toMillis(defaultLifetime)
      : response.expires_in * 1000)
  })

/**
 * A token that never expires, for tests of user code and for tokens obtained elsewhere.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMakeStatic = (
  value: string | Redacted.Redacted<string>,
  options?: { readonly scopes?: ReadonlyArray<string> | undefined }
): AccessToken =>
  new AccessToken({
    value: Redacted.isRedacted(value) ? value : Redacted.make(value),
    tokenType: "Bearer",
    scopes: [...(options?.scopes ?? [])],
    issuedAt: 0,
    expiresAt: Number.POSITIVE_INFINITY
  })

/**
 * Whether the token is expired at `now`, or will be within `margin`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isExpired = (self: AccessToken, now: number, margin: Duration.Input = Duration.zero): boolean =>
  now >= self.expiresAt - Duration.toMillis(Duration.fromInputUnsafe(margin))

/**
 * Whether two values hold the same token string.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSame = (self: AccessToken, that: AccessToken): boolean =>
  self === that || Redacted.value(self.value) === Redacted.value(that.value)
