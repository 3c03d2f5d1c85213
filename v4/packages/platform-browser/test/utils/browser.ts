/**
 * The real browser of the browser suite: Debian's Chromium driven by playwright-core (no
 * browser download), a loopback server for the page and the worker, and their cleanup.
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { chromium } from "playwright-core"
import type { BrowserContext } from "playwright-core"

/** Where Chromium is looked for: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** Whether the suite can run here. */
export const hasChromium = (): boolean => {
  try {
    Fs.accessSync(chromiumPath, Fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The flags the suite launches Chromium with (`--user-data-dir` is added per launch). */
export const chromiumFlags: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export interface Browser {
  readonly context: BrowserContext
  readonly userDataDir: string
  readonly close: () => Promise<void>
}

/**
 * Launches Chromium headless with a fresh profile in a temporary folder. Playwright
 * refuses `--user-data-dir` in `args`: `launchPersistentContext` passes it from its first
 * argument. `close` closes the browser and removes the folder.
 */
export const launch = async (): Promise<Browser> => {
  const userDataDir = await Fs.promises.mkdtemp(Path.join(Os.tmpdir(), "lucca-chromium-"))
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags],
      timeout: 30_000
    })
    return {
      context,
      userDataDir,
      close: async () => {
        try {
          await context.close()
        } finally {
          await Fs.promises.rm(userDataDir, { recursive: true, force: true })
        }
      }
    }
  } catch (error) {
    await Fs.promises.rm(userDataDir, { recursive: true, force: true })
    throw error
  }
}

export interface Route {
  readonly contentType: string
  readonly body: string
}

export interface StaticServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Serves fixed routes on 127.0.0.1 (a free port); anything else is a 404. */
export const serve = async (routes: Readonly<Record<string, Route>>): Promise<StaticServer> => {
  const server = Http.createServer((request, response) => {
    const route = routes[new URL(request.url ?? "/", "http://127.0.0.1").pathname]
    if (route === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found")
      return
    }
    response.writeHead(200, { "content-type": route.contentType, "cache-control": "no-store" }).end(route.body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => error === undefined ? resolve() : reject(error))
      })
  }
}

/** A page that injects `config` as `window.__config`, then loads `/page.js`. */
export const html = (config: unknown): Route => ({
  contentType: "text/html; charset=utf-8",
  body: `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>effect-lucca browser suite</title>
    <script>window.__config = ${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
    <script type="module" src="/page.js"></script>
  </head>
  <body></body>
</html>
`
})
