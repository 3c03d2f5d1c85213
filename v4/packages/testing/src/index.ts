/**
 * @since 0.1.0
 */

/**
 * The emulator's state and the controls a test drives.
 *
 * @since 0.1.0
 */
export * as FakeLucca from "./FakeLucca.js"

/**
 * The emulator as one `@effect/platform` HTTP app.
 *
 * @since 0.1.0
 */
export * as FakeLuccaApp from "./FakeLuccaApp.js"

/**
 * An in-memory `HttpClient.HttpClient` answered by the emulator.
 *
 * @since 0.1.0
 */
export * as FakeLuccaClient from "./FakeLuccaClient.js"

/**
 * The deterministic data set the emulator serves.
 *
 * @since 0.1.0
 */
export * as FakeLuccaData from "./FakeLuccaData.js"

/**
 * The errors of the emulator's own API.
 *
 * @since 0.1.0
 */
export * as FakeLuccaError from "./FakeLuccaError.js"

/**
 * The emulator on loopback sockets.
 *
 * @since 0.1.0
 */
export * as FakeLuccaServer from "./FakeLuccaServer.js"

/**
 * The emulator delivers webhooks: activation, signed deliveries, retries.
 *
 * @since 0.1.0
 */
export * as FakeLuccaWebhooks from "./FakeLuccaWebhooks.js"

/**
 * A harness that checks no secret appears in logs, spans or errors.
 *
 * @since 0.1.0
 */
export * as SecretHygiene from "./SecretHygiene.js"
