/**
 * What the Node side, the page and the worker of the browser suite agree on. Types only:
 * every file of the suite imports it.
 */

/** Injected in the page as `window.__config`. */
export interface PageConfig {
  readonly workerUrl: string
  /** Spawn a `SharedWorker` instead of a dedicated `Worker`. */
  readonly shared?: boolean
  /** Only on the guard page: the main-thread guard needs a secret to refuse. */
  readonly guard?: {
    readonly clientId: string
    readonly clientSecret: string
    readonly scopes: ReadonlyArray<string>
    readonly accountUrl: string
    readonly tokenUrl: string
  }
}

/** Served to the worker at `/config/worker.json`. */
export interface WorkerSettings {
  readonly clientId: string
  readonly clientSecret: string
  readonly scopes: ReadonlyArray<string>
  readonly accountUrl: string
  readonly tokenUrl: string
}

/** What a scenario run on the page reports back to Node. */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | {
    readonly _tag: "Failure"
    /** The failure's own fields (`_tag`, `method`, `grantedScopes`...), when it has them. */
    readonly error: Record<string, unknown> | undefined
    readonly errorClass: string | undefined
    readonly message: string | undefined
    /** `Cause.pretty` of the whole cause, for assertion messages. */
    readonly pretty: string
  }

/** The functions the page bundle installs as `window.lucca`. */
export interface PageApi {
  readonly get: (path: string, urlParams: Record<string, string>) => Promise<Outcome<unknown>>
  readonly paginate: (
    path: string,
    limit: number
  ) => Promise<Outcome<{ readonly count: number; readonly ids: ReadonlyArray<string> }>>
  readonly post: (path: string, body: unknown) => Promise<Outcome<unknown>>
  /** Builds `BrowserLucca.layer` on the main thread and gets one page of employees. */
  readonly mainThreadClient: (
    dangerouslyAllowBrowser: boolean
  ) => Promise<Outcome<{ readonly count: number; readonly isMainThread: boolean }>>
  /**
   * A GET whose program catches `SetupError` as the README shows: what it caught, or the
   * outcome it did not catch.
   */
  readonly catchSetup: () => Promise<
    Outcome<{
      readonly caught: string
      readonly isConfigError: boolean
      readonly configPath: ReadonlyArray<string> | undefined
      readonly message: string
    }>
  >
  /** Every message the page received from the worker, as JSON. */
  readonly received: () => ReadonlyArray<string>
}
