/**
 * @since 0.1.0
 */
export * as NodeLucca from "./NodeLucca.js"
