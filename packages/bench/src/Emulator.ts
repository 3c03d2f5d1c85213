/**
 * The emulator in a process of its own, so that its CPU time and heap are never counted
 * as the client's, and a small control channel to drive it from other processes.
 *
 * The control channel is plain JSON over `node:http` on a second loopback port: measuring
 * processes reach it with `node:http`, never with the undici pool or the `fetch` they
 * measure.
 *
 * @since 0.0.0
 */
import { type ChildProcess, fork } from "node:child_process"
import * as Http from "node:http"
import * as Tsx from "./Tsx.js"

/**
 * The commands the emulator process understands (see `emulatorMain.ts`).
 *
 * @since 0.0.0
 * @category models
 */
export type Command =
  /** Back to the start state: no fault, latency or rate limit, 30-minute tokens, zeroed counters. */
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Stats" }
  | { readonly _tag: "SetTokenLifetime"; readonly millis: number }
  | { readonly _tag: "SetRateLimit"; readonly requests: number; readonly windowMillis: number }
  /** `FakeLucca.Fault.Delay` on the next `times` token requests. */
  | { readonly _tag: "DelayTokenRequests"; readonly millis: number; readonly times: number }
  /** The id of a legal entity: the cheapest resource to fetch. */
  | { readonly _tag: "LegalEntityId" }
  /** `process.cpuUsage()` of the emulator, to tell whether it was the bottleneck. */
  | { readonly _tag: "CpuUsage" }

/**
 * The emulator's counters, as `FakeLucca.Stats`.
 *
 * @since 0.0.0
 * @category models
 */
export interface Stats {
  readonly token: { readonly total: number; readonly issued: number; readonly faults: number }
  readonly api: { readonly total: number; readonly byStatus: Readonly<Record<string, number>> }
}

/**
 * Where the emulator listens.
 *
 * @since 0.0.0
 * @category models
 */
export interface Address {
  /** The account URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  readonly tokenUrl: string
  readonly controlUrl: string
}

/**
 * @since 0.0.0
 * @category models
 */
export interface Emulator extends Address {
  readonly pid: number
  /** Stops the process; resolves once it has exited. */
  readonly stop: () => Promise<void>
}

/**
 * The default application of the emulator, whose secret is published.
 *
 * @since 0.0.0
 * @category constants
 */
export const credentials = {
  clientId: "fake-lucca-client",
  clientSecret: "fake-lucca-secret",
  scopes: ["legal-entities.readonly"]
} as const

/**
 * Starts the emulator on 127.0.0.1 in a new Node process (run by `tsx`). The process also
 * exits by itself when its parent goes away.
 *
 * @since 0.0.0
 * @category constructors
 */
export const start = (options?: { readonly startupTimeoutMillis?: number }): Promise<Emulator> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(new URL("./emulatorMain.ts", import.meta.url), [], {
      execArgv: Tsx.execArgv(),
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error("the emulator did not start in time"))
    }, options?.startupTimeoutMillis ?? 60_000)
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once("message", (message) => {
      clearTimeout(timer)
      const address = message as Address
      resolve({
        ...address,
        pid: child.pid!,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
          return exited
        }
      })
    })
  })

/**
 * Sends one command to the emulator at `controlUrl` and returns its answer.
 *
 * @since 0.0.0
 * @category control
 */
export const control = <A = unknown>(controlUrl: string, command: Command): Promise<A> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify(command)
    // a fresh connection each time (agent: false): control calls are rare and must not
    // share sockets with anything measured
    const request = Http.request(controlUrl, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      timeout: 30_000
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        if (response.statusCode !== 200) return reject(new Error(`emulator control ${command._tag}: ${text}`))
        resolve(JSON.parse(text) as A)
      })
      response.on("error", reject)
    })
    request.on("timeout", () => request.destroy(new Error(`emulator control ${command._tag} timed out`)))
    request.on("error", reject)
    request.end(body)
  })

/**
 * Typed shorthands over {@link control}.
 *
 * @since 0.0.0
 * @category control
 */
export const controller = (controlUrl: string) => ({
  reset: () => control<null>(controlUrl, { _tag: "Reset" }),
  stats: () => control<Stats>(controlUrl, { _tag: "Stats" }),
  setTokenLifetime: (millis: number) => control<null>(controlUrl, { _tag: "SetTokenLifetime", millis }),
  setRateLimit: (requests: number, windowMillis: number) =>
    control<null>(controlUrl, { _tag: "SetRateLimit", requests, windowMillis }),
  delayTokenRequests: (millis: number, times: number) =>
    control<null>(controlUrl, { _tag: "DelayTokenRequests", millis, times }),
  legalEntityId: () => control<string>(controlUrl, { _tag: "LegalEntityId" }),
  cpuUsage: () => control<NodeJS.CpuUsage>(controlUrl, { _tag: "CpuUsage" })
})

/**
 * @since 0.0.0
 * @category models
 */
export type Controller = ReturnType<typeof controller>
