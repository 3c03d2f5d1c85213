// Run with plain `node` 22 in the folder of a README's Effect 4 install line (see
// ../consumer/install-lines.mjs, `--line 4`): what that line installed works, against the
// emulator the LUCCA_* variables point at (the installed `fake-lucca` of the Effect 4 line),
// with whichever client the line installed (NodeLucca, BrowserLucca over fetch, or the core
// over FetchHttpClient).
import * as Fs from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const ours = Fs.existsSync("node_modules/@effect-lucca") ? Fs.readdirSync("node_modules/@effect-lucca").sort() : []
if (ours.length === 0) throw new Error("no @effect-lucca package was installed")

const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  throw new Error(`node ${process.versions.node}: the Effect 4 line needs Node 22.19 or later`)
}

// the Effect 4 line: effect 4.x, and our packages of that line (1.0.0-next.N), not the 0.x
const effect = require("effect/package.json").version
if (!effect.startsWith("4.")) throw new Error(`effect ${effect} was installed: these packages are for Effect 4`)
const versions = ours.map((name) => {
  const manifest = JSON.parse(Fs.readFileSync(`node_modules/@effect-lucca/${name}/package.json`, "utf8"))
  return `@effect-lucca/${name}@${manifest.version}`
})
for (const version of versions) {
  if (!/@1\.\d+\.\d+/.test(version)) throw new Error(`${version} is not of the Effect 4 line`)
}
console.log(`installed: ${versions.join(" ")}, effect ${effect}, node ${process.versions.node}`)

// every package loads under plain node
for (const name of ours) await import(`@effect-lucca/${name}`)

const { Effect, Layer, Redacted, Schema, Stream } = await import("effect")

if (ours.includes("core")) {
  const { LuccaClient } = await import("@effect-lucca/core")
  const options = {
    clientId: process.env.LUCCA_CLIENT_ID,
    clientSecret: Redacted.make(process.env.LUCCA_CLIENT_SECRET),
    scopes: process.env.LUCCA_SCOPES.split(/[\s,]+/),
    accountUrl: process.env.LUCCA_ACCOUNT_URL,
    tokenUrl: process.env.LUCCA_TOKEN_URL
  }
  let via
  let layer
  if (ours.includes("platform-node")) {
    via = "NodeLucca.layer(options)"
    layer = (await import("@effect-lucca/platform-node")).NodeLucca.layer(options)
  } else if (ours.includes("platform-browser")) {
    via = "BrowserLucca.layer(options) over Node's fetch"
    layer = (await import("@effect-lucca/platform-browser")).BrowserLucca.layer(options)
  } else {
    via = "LuccaClient.layer(options) over FetchHttpClient"
    const FetchHttpClient = await import("effect/http/FetchHttpClient")
    layer = LuccaClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
  }
  const Employee = Schema.Struct({ id: Schema.String, givenName: Schema.String, familyName: Schema.String })
  const employees = await Effect.runPromise(
    LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 25 }).pipe(
      Stream.runCollect,
      Effect.provide(layer)
    )
  )
  if (employees.length === 0) throw new Error("no employee listed")
  console.log(`${via}, LuccaClient.paginate: ${employees.length} employees listed from ${options.accountUrl}`)
}

if (ours.includes("testing")) {
  // the installed emulator, in memory: a token, then the employees with it
  const { FakeLucca, FakeLuccaClient } = await import("@effect-lucca/testing")
  const HttpClient = await import("effect/http/HttpClient")
  const HttpClientRequest = await import("effect/http/HttpClientRequest")
  const HttpClientResponse = await import("effect/http/HttpClientResponse")
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
          HttpClientRequest.setHeader("api-version", FakeLucca.defaultApiVersion)
        )
      ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)))
      return page.items.length
    }).pipe(Effect.provide(FakeLuccaClient.layerFake()))
  )
  if (count === 0) throw new Error("the in-memory emulator listed no employee")
  console.log(`FakeLuccaClient.layerFake(): ${count} employees listed from the in-memory emulator`)
}
