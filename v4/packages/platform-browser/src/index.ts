/**
 * @since 0.1.0
 */
export * as BrowserLucca from "./BrowserLucca.js"

/**
 * @since 0.1.0
 */
export * as LuccaWorker from "./LuccaWorker.js"

/**
 * @since 0.1.0
 */
export * as LuccaWorkerClient from "./LuccaWorkerClient.js"
