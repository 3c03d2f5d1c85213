import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"

const server = http.createServer((req, res) => {
  if (req.url === "/connect/token") { res.setHeader("content-type", "application/json"); res.end(JSON.stringify({ access_token: "tok", token_type: "Bearer", expires_in: 1800 })); return }
  console.log(req.method, req.url, JSON.stringify(req.rawHeaders)); res.end("{}")
})
server.listen(0, "127.0.0.1", async () => {
  const port = (server.address() as any).port
  const url = `http://127.0.0.1:${port}`
  await Effect.runPromise(Effect.gen(function*() {
    const c = yield* HttpClient.HttpClient
    yield* c.pipe(HttpClient.mapRequest(HttpClientRequest.setHeaders({ authorization: "Bearer tok", "api-version": "2024-11-01", accept: "application/json" }))).get(`${url}/lucca-api/x`)
  }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)))
  await Effect.runPromise(Effect.gen(function*() {
    const c = yield* LuccaClient.LuccaClient
    const r = yield* c.execute(HttpClientRequest.get("/lucca-api/x"))
    yield* r.text
  }).pipe(Effect.scoped, Effect.provide(NodeLucca.layer({ clientId: "a", clientSecret: Redacted.make("b"), scopes: ["employees.readonly"], accountUrl: url, tokenUrl: `${url}/connect/token`, rateLimit: false }))))
  server.close()
})
