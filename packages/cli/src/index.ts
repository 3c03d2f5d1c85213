/**
 * @since 0.1.0
 */

/**
 * The `lucca` command: `doctor`, `token`, `get`, `list` and `emulator`.
 *
 * @since 0.1.0
 */
export * as LuccaCli from "./LuccaCli.js"
