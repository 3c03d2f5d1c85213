/**
 * The module Worker of the browser suite (dedicated or shared): the trusted side. It
 * fetches its own settings (client id, secret, account) from the test server, so that the
 * secret never passes through the page, and serves `LuccaWorker` with a `BrowserLucca`
 * client.
 */
import { BrowserLucca, LuccaWorker } from "@effect-lucca/platform-browser"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { WorkerSettings } from "./protocol.js"

// `?config=` names another settings file (a broken one, for the setup failure)
const settingsUrl = new URL(self.location.href).searchParams.get("config") ?? "/config/worker.json"

const settings = Effect.promise(() =>
  fetch(new URL(settingsUrl, self.location.href)).then((response) => response.json() as Promise<WorkerSettings>)
)

const client = Layer.unwrap(
  Effect.map(settings, (settings) =>
    BrowserLucca.layer({
      clientId: settings.clientId,
      clientSecret: Redacted.make(settings.clientSecret),
      scopes: settings.scopes,
      accountUrl: settings.accountUrl,
      tokenUrl: settings.tokenUrl,
      rateLimit: false
    }))
)

LuccaWorker.launchBrowser(client)
