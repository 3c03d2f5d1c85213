import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

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
  "(BrowserLucca.layerWithTokenProvider, or LuccaClient.makeWithTokenProvider). " +
  "In a trusted internal tool, run the client in a dedicated Web Worker (LuccaWorker) so that the page never holds the token. " +
  "If everyone who can open this page may hold the secret itself, pass dangerouslyAllowBrowser: true."

/**
 * A `ConfigError` naming one option, built as the core builds its option errors (a
 * `SchemaError` whose issue points at the option), so that both read the same.
 *
 * @internal
 */
export const optionError = (path: ReadonlyArray<PropertyKey>, message: string): Config.ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer(path, new SchemaIssue.InvalidValue({ message })))
  )

/** @internal */
export const guardClientSecret = (
  options?: { readonly dangerouslyAllowBrowser?: boolean | undefined }
): Effect.Effect<void, Config.ConfigError> =>
  Effect.suspend(() =>
    options?.dangerouslyAllowBrowser === true || !isBrowserMainThread()
      ? Effect.void
      : Effect.fail(optionError(["dangerouslyAllowBrowser"], refusal))
  )
