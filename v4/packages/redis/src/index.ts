/**
 * @since 0.1.0
 */
export * as LuccaRedis from "./LuccaRedis.js"
