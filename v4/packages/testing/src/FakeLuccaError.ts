/**
 * The errors of the emulator's own API (not the HTTP errors it serves, which are
 * responses).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A control was used wrongly: an unknown client id or account, a client id declared
 * twice, an establishment, a resource or a webhook endpoint that does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class FakeLuccaError extends Schema.TaggedError<FakeLuccaError>("@effect-lucca/testing/FakeLuccaError")(
  "FakeLuccaError",
  {
    reason: Schema.Literals([
      "UnknownApplication",
      "DuplicateClientId",
      "UnknownAccount",
      "UnknownEstablishment",
      "UnknownResource",
      "UnknownWebhookEndpoint"
    ]),
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description}`
  }
}

/**
 * Raised by the app when a `Disconnect` fault is due: the transport drops the
 * connection (the loopback server destroys the socket; the in-memory client fails
 * with an `HttpClientError` whose reason is a `TransportError`). Serve the app yourself and you handle it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionDropped extends Schema.TaggedError<ConnectionDropped>(
  "@effect-lucca/testing/ConnectionDropped"
)("ConnectionDropped", {
  target: Schema.Literals(["token", "api"])
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Fake Lucca dropped the connection of a ${this.target} request (injected fault)`
  }
}
