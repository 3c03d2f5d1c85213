/**
 * @since 0.2.0
 */
export * as LuccaRedis from "./LuccaRedis.js"
