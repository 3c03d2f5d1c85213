import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"

/** @internal */
export const isBrowserMainThread = (): boolean =>
  // Workers have neither; Deno 1 had a `window` but never a `document`.
  typeof (globalThis as { window?: unknown }).window === "object" &&
  typeof (globalThis as { document?: unknown }).document === "object"

/** @internal */
export const refusal = "Refusing to load a Lucca client secret on a web page's main thread: " +
  "everyone who opens the page could read it (in the bundle, in memory, in the developer tools) " +
  "and call the Lucca API with every scope of the client application until the secret is regenerated. " +
  "Keep the secret on a server instead: run the client in an edge or server worker that holds the secret, " +
  "or give the page a TokenProvider that asks your own backend for tokens " +
  "(BrowserLucca.layerWithTokenProvider, or LuccaClient.make with a tokenProvider). " +
  "In a trusted internal tool, run the client in a dedicated Web Worker (LuccaWorker) so that the page never holds the token. " +
  "If everyone who can open this page may hold the secret itself, pass dangerouslyAllowBrowser: true."

/** @internal */
export const guardClientSecret = (
  options?: { readonly dangerouslyAllowBrowser?: boolean | undefined }
): Effect.Effect<void, ConfigError.ConfigError> =>
  Effect.suspend(() =>
    options?.dangerouslyAllowBrowser === true || !isBrowserMainThread()
      ? Effect.void
      : Effect.fail(ConfigError.InvalidData(["dangerouslyAllowBrowser"], refusal))
  )
