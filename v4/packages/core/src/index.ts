/**
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * @since 0.1.0
 */
export * as ClientCredentials from "./ClientCredentials.js"

/**
 * @since 0.1.0
 */
export * as LuccaAccount from "./LuccaAccount.js"

/**
 * @since 0.1.0
 */
export * as LuccaClient from "./LuccaClient.js"

/**
 * @since 0.1.0
 */
export * as LuccaConfig from "./LuccaConfig.js"

/**
 * @since 0.1.0
 */
export * as LuccaDeprecation from "./LuccaDeprecation.js"

/**
 * @since 0.1.0
 */
export * as LuccaError from "./LuccaError.js"

/**
 * @since 0.1.0
 */
export * as LuccaMetrics from "./LuccaMetrics.js"

/**
 * @since 0.1.0
 */
export * as LuccaPacing from "./LuccaPacing.js"

/**
 * @since 0.1.0
 */
export * as LuccaRetry from "./LuccaRetry.js"

/**
 * @since 0.1.0
 */
export * as LuccaScope from "./LuccaScope.js"

/**
 * @since 0.1.0
 */
export * as LuccaTenants from "./LuccaTenants.js"

/**
 * @since 0.1.0
 */
export * as LuccaWebhooks from "./LuccaWebhooks.js"

/**
 * @since 0.1.0
 */
export * as TokenProvider from "./TokenProvider.js"

/**
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"
