/**
 * How child processes run TypeScript: Node with tsx's loader (`node --import <loader>`),
 * so that each one is a plain Node process with its own heap, not a `tsx` wrapper.
 *
 * @since 0.0.0
 */
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"

/**
 * The URL of tsx's ESM loader, as installed for this package.
 *
 * @since 0.0.0
 * @category constants
 */
export const loader = (): string => pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
