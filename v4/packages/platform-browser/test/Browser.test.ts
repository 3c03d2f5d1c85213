/**
 * The worker design in a real browser, on Effect 4: Debian's Chromium (headless, driven
 * by playwright-core), a page and a module Worker (dedicated, or shared by two tabs)
 * bundled with esbuild and served from 127.0.0.1, talking over `effect/rpc`, and the v4
 * emulator on another loopback port, so that CORS and preflights happen for real.
 *
 * Without Chromium the suite says so and skips; under `CI=true` it fails instead.
 */
import { FakeLucca, FakeLuccaServer } from "@effect-lucca/testing"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import type { Page } from "playwright-core"
import type { Outcome, PageConfig, WorkerSettings } from "./browser/protocol.js"
import { chromiumFlags, chromiumPath, hasChromium, html, launch, serve } from "./utils/browser.js"
import type { Browser, StaticServer } from "./utils/browser.js"
import { bundle } from "./utils/esbuild.js"

const available = hasChromium()
const inCi = process.env.CI === "true"
if (!available && !inCi) {
  console.warn(
    `SKIPPED v4/packages/platform-browser: test/Browser.test.ts (no Chromium at ${chromiumPath}: ` +
      "apt-get install -y chromium, or set CHROMIUM_PATH)"
  )
}

/** The worker's application: employees and webhook endpoints, no departments (for the 403). */
const workerScopes = ["employees.readonly", "webhook-endpoints.readwrite"]

interface Suite {
  readonly scope: Scope.Closeable
  readonly fake: FakeLucca.Service
  readonly emulator: FakeLuccaServer.Service
  readonly site: StaticServer
  readonly browser: Browser
  /** Every access token the token endpoint sent over the wire, read from Chromium's network events. */
  readonly issuedTokens: Array<string>
  readonly pending: Array<Promise<void>>
  /** A token host that redirects to `elsewhere`, and what `elsewhere` received. */
  readonly redirecting: { readonly close: () => Promise<void>; readonly elsewhereSeen: Array<string> }
  workerPage?: Page
}

/**
 * Security finding 2: a token host answering 307 to another origin (both on loopback,
 * both allowing CORS), so that fetch would follow the redirect and re-post the form body.
 */
const redirectingTokenHost = async () => {
  const elsewhereSeen: Array<string> = []
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "POST"
  }
  // the trace headers make the token request preflighted: answer the preflight
  const preflight = (request: NodeHttp.IncomingMessage, response: NodeHttp.ServerResponse) => {
    if (request.method !== "OPTIONS") return false
    response.writeHead(204, cors).end()
    return true
  }
  const listen = (server: NodeHttp.Server) =>
    new Promise<string>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    })
  const elsewhere = NodeHttp.createServer((request, response) => {
    if (preflight(request, response)) return
    let body = ""
    request.on("data", (chunk) => body += chunk)
    request.on("end", () => {
      if (request.method === "POST") elsewhereSeen.push(body)
      response.writeHead(200, { ...cors, "content-type": "application/json" }).end(
        JSON.stringify({ access_token: "stolen", token_type: "Bearer", expires_in: 1800 })
      )
    })
  })
  const elsewhereUrl = await listen(elsewhere)
  const redirector = NodeHttp.createServer((request, response) => {
    if (preflight(request, response)) return
    request.resume()
    response.writeHead(307, { ...cors, location: `${elsewhereUrl}/connect/token` }).end()
  })
  const tokenUrl = `${await listen(redirector)}/connect/token`
  const close = async () => {
    await Promise.all([elsewhere, redirector].map((server) => new Promise((resolve) => server.close(resolve))))
  }
  return { tokenUrl, elsewhereSeen, close }
}

let suite: Suite | undefined

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** A scenario's result, or an assertion failure that shows the browser-side `Cause.pretty`. */
const succeeded = <A>(label: string, outcome: Outcome<A>): A => {
  if (outcome._tag === "Failure") assert.fail(`${label} failed in the browser:\n${outcome.pretty}`)
  return outcome.value
}

const failed = <A>(label: string, outcome: Outcome<A>) => {
  if (outcome._tag === "Success") assert.fail(`${label} succeeded in the browser: ${JSON.stringify(outcome.value)}`)
  return outcome
}

const open = async (path: string): Promise<Page> => {
  const page = await suite!.browser.context.newPage()
  const errors: Array<string> = []
  page.on("pageerror", (error) => errors.push(error.message))
  await page.goto(`${suite!.site.url}${path}`)
  await page.waitForFunction(() => window.lucca !== undefined, undefined, { timeout: 10_000 }).catch(() => {
    assert.fail(`${path} did not load its script: ${errors.join("; ") || "no page error"}`)
  })
  return page
}

const workerPage = async (): Promise<Page> => suite!.workerPage ??= await open("/index.html")

/** Waits for the network events of finished token responses to be read. */
const settle = () => Promise.all(suite!.pending.splice(0))

describe.runIf(available || inCi)("in Chromium, a page and a Worker over effect/rpc (Effect 4)", () => {
  beforeAll(async () => {
    if (!available) {
      throw new Error(
        `No Chromium at ${chromiumPath}, and CI=true: the browser suite must run in CI. Install it with ` +
          "`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH)."
      )
    }
    const scope = await run(Scope.make())
    try {
      const context = await run(Layer.buildWithScope(FakeLuccaServer.layerFake(), scope).pipe(Effect.orDie))
      const fake = await run(Effect.provide(FakeLucca.FakeLucca, context))
      const emulator = await run(Effect.provide(FakeLuccaServer.FakeLuccaServer, context))
      const [page, worker] = await Promise.all([bundle("test/browser/page.ts"), bundle("test/browser/worker.ts")])
      const redirecting = await redirectingTokenHost()
      const workerSettings: WorkerSettings = {
        clientId: FakeLucca.defaultClientId,
        clientSecret: FakeLucca.defaultClientSecret,
        scopes: workerScopes,
        accountUrl: emulator.url,
        tokenUrl: emulator.tokenUrl
      }
      const pageConfig: PageConfig = { workerUrl: "/worker.js" }
      const guardConfig: PageConfig = { ...pageConfig, guard: workerSettings }
      const script = (body: string) => ({ contentType: "text/javascript; charset=utf-8", body })
      const site = await serve({
        "/index.html": html(pageConfig),
        "/guard.html": html(guardConfig),
        "/shared.html": html({ ...pageConfig, shared: true }),
        "/redirect.html": html({ ...pageConfig, guard: { ...workerSettings, tokenUrl: redirecting.tokenUrl } }),
        "/page.js": script(page),
        "/worker.js": script(worker),
        "/broken.html": html({ workerUrl: "/worker.js?config=/config/broken.json" }),
        "/missing.html": html({ workerUrl: "/no-such-worker.js" }),
        "/missing-shared.html": html({ workerUrl: "/no-such-worker.js", shared: true }),
        "/config/worker.json": { contentType: "application/json", body: JSON.stringify(workerSettings) },
        "/config/broken.json": {
          contentType: "application/json",
          body: JSON.stringify({ ...workerSettings, tokenUrl: "not a url" })
        }
      })
      let browser: Browser
      try {
        browser = await launch()
      } catch (error) {
        await Promise.all([site.close(), redirecting.close()])
        throw error
      }
      const issuedTokens: Array<string> = []
      const pending: Array<Promise<void>> = []
      browser.context.on("response", (response) => {
        if (response.url() !== emulator.tokenUrl || response.request().method() !== "POST") return
        pending.push(
          response.json().then(
            (body: { access_token?: string }) => {
              if (typeof body.access_token === "string") issuedTokens.push(body.access_token)
            },
            // Chromium drops the body of a response whose worker went away before it was
            // read; the emulator's own list of issued tokens covers it
            () => undefined
          )
        )
      })
      suite = { scope, fake, emulator, site, browser, issuedTokens, pending, redirecting }
    } catch (error) {
      await run(Scope.close(scope, Exit.void))
      throw error
    }
  }, 60_000)

  afterAll(async () => {
    if (suite === undefined) return
    const { browser, redirecting, scope, site } = suite
    suite = undefined
    await Promise.allSettled([browser.close(), site.close(), redirecting.close()])
    await run(Scope.close(scope, Exit.void))
  }, 30_000)

  it("runs Debian's Chromium headless with the requested flags and a fresh profile", async () => {
    const page = await suite!.browser.context.newPage()
    try {
      await page.goto("chrome://version")
      const commandLine = await page.locator("#command_line").innerText()
      for (const flag of chromiumFlags) assert.include(commandLine, flag)
      assert.include(commandLine, `--user-data-dir=${suite!.browser.userDataDir}`)
    } finally {
      await page.close()
    }
  })

  it("the worker gets a token and pages through the employees", async () => {
    const page = await workerPage()
    const result = succeeded(
      "paginate",
      await page.evaluate(() => window.lucca.paginate("/lucca-api/employees", 25))
    )
    const data = await run(suite!.fake.data())
    assert.strictEqual(result.count, data.resources.employees.length)
    assert.strictEqual(new Set(result.ids).size, data.resources.employees.length)
    const stats = await run(suite!.fake.stats)
    assert.strictEqual(stats.token.issued, 1)
    assert.strictEqual(stats.api.byStatus["200"], Math.ceil(data.resources.employees.length / 25))
    await settle()
    assert.strictEqual(suite!.issuedTokens.length, 1, "Chromium's network events show the worker's token response")
  })

  it("a JSON POST from the page is sent by the worker (with its CORS preflight)", async () => {
    const page = await workerPage()
    const body = {
      name: "2031-06-02",
      webhookUrl: "https://hooks.example.test/browser",
      apiVersion: "2024-11-01",
      topics: ["employee.created"]
    }
    const created = succeeded(
      "post",
      await page.evaluate((body) => window.lucca.post("/lucca-api/webhook-endpoints", body), body)
    )
    assert.deepInclude(created as object, { name: "2031-06-02", type: "webhook-endpoint" })
    assert.isTrue(
      (await run(suite!.fake.data())).resources["webhook-endpoints"].some((e) => e.name === "2031-06-02")
    )
  })

  it("a token revoked mid-test is recovered with one retry", async () => {
    const page = await workerPage()
    const params = { limit: "5" }
    succeeded("get before revocation", await page.evaluate((p) => window.lucca.get("/lucca-api/employees", p), params))
    const before = await run(suite!.fake.stats)
    assert.strictEqual(await run(suite!.fake.revokeTokens()), 1)
    const page2 = succeeded(
      "get after revocation",
      await page.evaluate((p) => window.lucca.get("/lucca-api/employees", p), params)
    ) as { items: ReadonlyArray<unknown> }
    assert.strictEqual(page2.items.length, 5)
    const after = await run(suite!.fake.stats)
    assert.strictEqual(after.token.issued, before.token.issued + 1)
    assert.strictEqual((after.api.byStatus["401"] ?? 0) - (before.api.byStatus["401"] ?? 0), 1)
  })

  it("a missing scope arrives on the page as a typed Forbidden", async () => {
    const page = await workerPage()
    const outcome = failed(
      "get /lucca-api/departments",
      await page.evaluate(() => window.lucca.get("/lucca-api/departments", {}))
    )
    assert.strictEqual(outcome.errorClass, "Forbidden", outcome.pretty)
    assert.strictEqual(outcome.error?._tag, "Forbidden", outcome.pretty)
    assert.strictEqual(outcome.error?.method, "GET")
    assert.strictEqual(outcome.error?.url, `${suite!.emulator.url}/lucca-api/departments`)
    assert.deepStrictEqual(outcome.error?.grantedScopes, workerScopes)
    assert.strictEqual(outcome.error?.suggestedScope, "departments.readonly")
    assert.include(outcome.message, "/identity/admin/integration-keys")
  })

  it("the page never receives the token nor the secret", async () => {
    const page = await workerPage()
    const received = await page.evaluate(() => window.lucca.received())
    await settle()
    const stats = await run(suite!.fake.stats)
    // every token the emulator issued, and every one seen on Chromium's network (a subset of them)
    const issued = (await run(suite!.fake.issuedTokens)).map(Redacted.value)
    assert.strictEqual(issued.length, stats.token.issued)
    assert.isAtLeast(issued.length, 2)
    assert.isAtLeast(suite!.issuedTokens.length, 1)
    for (const token of suite!.issuedTokens) assert.include(issued, token)
    // the recording holds what the page did receive: employees, the created webhook endpoint, the 403
    const everything = received.join("\n")
    assert.include(everything, (await run(suite!.fake.data())).resources.employees[0].id)
    assert.include(everything, "\"Forbidden\"")
    assert.include(everything, "2031-06-02")
    for (const token of issued) assert.notInclude(everything, token)
    assert.notInclude(everything, FakeLucca.defaultClientSecret)
  })

  it("two tabs on one SharedWorker share its client and its token", async () => {
    const before = await run(suite!.fake.stats)
    const tabs = [await open("/shared.html"), await open("/shared.html")]
    try {
      for (const [i, tab] of tabs.entries()) {
        succeeded(`get in tab ${i}`, await tab.evaluate(() => window.lucca.get("/lucca-api/employees", { limit: "1" })))
      }
      // one client in the worker: the second tab's connection does not build another
      const after = await run(suite!.fake.stats)
      assert.strictEqual(after.token.issued - before.token.issued, 1)
    } finally {
      await Promise.all(tabs.map((tab) => tab.close()))
    }
  })

  // issue 19, item 3: a worker whose configuration is wrong
  it("a worker that cannot build its client: the page's catchTag(\"SetupError\") gets the ConfigError", async () => {
    const page = await open("/broken.html")
    try {
      const before = await run(suite!.fake.stats)
      // bounded: a page that hangs fails here, not at the suite's timeout
      const outcome = await Promise.race([
        page.evaluate(() => window.lucca.catchSetup()),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the page hung")), 20_000))
      ])
      const caught = succeeded("a GET through a broken worker", outcome)
      assert.strictEqual(caught.caught, "SetupError")
      assert.isTrue(caught.isConfigError)
      assert.deepStrictEqual(caught.configPath, ["tokenUrl"])
      assert.include(caught.message, "tokenUrl")
      assert.strictEqual((await run(suite!.fake.stats)).token.total, before.token.total, "no token was requested")
    } finally {
      await page.close()
    }
  }, 30_000)

  for (const [kind, path] of [["dedicated", "/missing.html"], ["shared", "/missing-shared.html"]] as const) {
    it(
      `a ${kind} worker whose script cannot be loaded: the page's call fails with an RpcClientError, it does not hang`,
      async () => {
        const page = await open(path)
        try {
          // bounded: a page that hangs fails here, not at the suite's timeout
          const outcome = await Promise.race([
            page.evaluate(() => window.lucca.get("/lucca-api/employees", {})),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the page hung")), 20_000))
          ])
          const failure = failed("a GET through a worker that is not there", outcome)
          assert.strictEqual(failure.errorClass, "RpcClientError", failure.pretty)
        } finally {
          await page.close()
        }
      },
      30_000
    )
  }

  it("the main-thread guard refuses a client secret on the page", async () => {
    const page = await open("/guard.html")
    try {
      const before = await run(suite!.fake.stats)
      const outcome = failed(
        "BrowserLucca.layer on the main thread",
        await page.evaluate(() => window.lucca.mainThreadClient(false))
      )
      assert.strictEqual(outcome.errorClass, "ConfigError", outcome.pretty)
      assert.deepStrictEqual(outcome.error?.path, ["dangerouslyAllowBrowser"])
      assert.include(outcome.pretty, "dangerouslyAllowBrowser: true")
      assert.include(outcome.pretty, "backend")
      assert.strictEqual((await run(suite!.fake.stats)).token.total, before.token.total, "no token was requested")
    } finally {
      await page.close()
    }
  })

  it("the main-thread guard accepts the secret with dangerouslyAllowBrowser: true", async () => {
    const page = await open("/guard.html")
    try {
      const result = succeeded(
        "BrowserLucca.layer with dangerouslyAllowBrowser",
        await page.evaluate(() => window.lucca.mainThreadClient(true))
      )
      assert.isTrue(result.isMainThread)
      assert.isAbove(result.count, 0)
    } finally {
      await page.close()
    }
  })

  it("a token request is never redirected: the secret is not re-posted to another origin", async () => {
    const page = await open("/redirect.html")
    try {
      const outcome = failed(
        "a client whose token host redirects",
        await page.evaluate(() => window.lucca.mainThreadClient(true))
      )
      assert.strictEqual(outcome.error?._tag, "TokenRequestError", outcome.pretty)
      assert.strictEqual(outcome.error?.reason, "Redirect", outcome.pretty)
      assert.strictEqual(outcome.error?.transient, false)
      assert.deepStrictEqual(suite!.redirecting.elsewhereSeen, [], "the form body (and the secret) was re-posted")
    } finally {
      await page.close()
    }
  })
})
