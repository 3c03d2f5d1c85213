// Run with plain `node` in the folder of a README's install line (see install-lines.mjs):
// what that line installed works, against the emulator the LUCCA_* variables point at.
import * as Fs from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const ours = Fs.existsSync("node_modules/@effect-lucca") ? Fs.readdirSync("node_modules/@effect-lucca").sort() : []
if (ours.length === 0) throw new Error("no @effect-lucca package was installed")

// the Effect 3 line, whatever npm's latest tags say
const effect = require("effect/package.json").version
if (!effect.startsWith("3.")) throw new Error(`effect ${effect} was installed: these packages are for Effect 3`)
console.log(`installed: ${ours.map((name) => `@effect-lucca/${name}`).join(" ")}, effect ${effect}`)

// every package loads under plain node
for (const name of ours) await import(`@effect-lucca/${name}`)

const { Effect, Layer, Schema, Stream } = await import("effect")

if (ours.includes("core")) {
  const { LuccaClient } = await import("@effect-lucca/core")
  let via
  let layer
  if (ours.includes("platform-node")) {
    via = "NodeLucca.layerConfig()"
    layer = (await import("@effect-lucca/platform-node")).NodeLucca.layerConfig()
  } else if (ours.includes("platform-browser")) {
    via = "BrowserLucca.layerConfig() over Node's fetch"
    layer = (await import("@effect-lucca/platform-browser")).BrowserLucca.layerConfig()
  } else {
    via = "LuccaClient.layerConfig() over FetchHttpClient"
    const { FetchHttpClient } = await import("@effect/platform")
    layer = LuccaClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
  }
  const Employee = Schema.Struct({ id: Schema.String })
  const employees = await Effect.runPromise(
    LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
      Stream.runCollect,
      Effect.provide(layer)
    )
  )
  if (employees.length === 0) throw new Error("no employee listed")
  console.log(`${via}: ${employees.length} employees listed from ${process.env.LUCCA_ACCOUNT_URL}`)
}

if (ours.includes("testing")) {
  // the installed emulator, in memory: a token, then the employees with it
  const { FakeLucca, FakeLuccaClient } = await import("@effect-lucca/testing")
  const { HttpClient, HttpClientRequest, HttpClientResponse } = await import("@effect/platform")
  const Token = Schema.Struct({ access_token: Schema.String })
  const Page = Schema.Struct({ items: Schema.Array(Schema.Unknown) })
  const count = await Effect.runPromise(
    Effect.gen(function*() {
      const token = yield* HttpClient.execute(
        HttpClientRequest.post(FakeLucca.tokenUrl).pipe(
          HttpClientRequest.bodyUrlParams({
            grant_type: "client_credentials",
            client_id: FakeLucca.defaultClientId,
            client_secret: FakeLucca.defaultClientSecret,
            scope: "employees.readonly"
          })
        )
      ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Token)))
      const page = yield* HttpClient.execute(
        HttpClientRequest.get(`${FakeLucca.defaultAccountUrl}/lucca-api/employees?limit=100`).pipe(
          HttpClientRequest.bearerToken(token.access_token),
          HttpClientRequest.setHeader("api-version", "2024-11-01")
        )
      ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)))
      return page.items.length
    }).pipe(Effect.provide(FakeLuccaClient.layerFake()))
  )
  if (count === 0) throw new Error("the in-memory emulator listed no employee")
  console.log(`FakeLuccaClient.layerFake(): ${count} employees listed from the in-memory emulator`)
}
