/**
 * @since 0.1.0
 */

/**
 * The `lucca` command: `doctor`, `token`, `get`, `list`, `emulator` and `webhooks listen`.
 *
 * @since 0.1.0
 */
export * as LuccaCli from "./LuccaCli.js"
