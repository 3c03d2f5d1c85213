import { LuccaTenants } from "@effect-lucca/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as v8 from "node:v8"
import * as inspector from "node:inspector"
import * as fs from "node:fs"
const session = new inspector.Session(); session.connect()
const scripts: Record<string, string> = {}
session.on("Debugger.scriptParsed", (m: any) => { scripts[m.params.scriptId] = m.params.url })
session.post("Debugger.enable")

const tokenUrl = "http://127.0.0.1:1/connect/token"
let n = 0
const fake = HttpClient.make((request) =>
  Effect.sync(() =>
    request.url === tokenUrl
      ? HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ access_token: `tok-${n++}-abcdefghijklmnopqrstuvwxyz0123456789`, token_type: "Bearer", expires_in: 1800, scope: "employees.readonly" }), { status: 200, headers: { "content-type": "application/json" } }))
      : HttpClientResponse.fromWeb(request, new Response('{"id":1}', { status: 200, headers: { "content-type": "application/json" } }))
  )
)
const N = Number(process.argv[2] ?? 2000)
const snap = process.argv[3]
const main = async () => {
  const rt = ManagedRuntime.make(Layer.provide(LuccaTenants.layer((tenant) => ({
    clientId: `id-${tenant}`, clientSecret: Redacted.make(`secret-${tenant}-0123456789`), scopes: ["employees.readonly"],
    accountUrl: "http://127.0.0.1:2", tokenUrl, rateLimit: process.env.PACE ? undefined : false
  }), { idleTimeToLive: "1 hour" }), Layer.succeed(HttpClient.HttpClient, fake)))
  const svc = await rt.runPromise(LuccaTenants.LuccaTenants)
  const once = (t: string) => rt.runPromise(svc.use(t, (c) => Effect.flatMap(c.execute(HttpClientRequest.get("/lucca-api/employees/1")), (r) => r.text)))
  const run = async (prefix: string, count: number) => { for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => once(`${prefix}-${i + j}`))) }
  await run("warm", 200)
  await rt.runPromise(Effect.flatMap(svc.tenants, (k) => Effect.forEach(k, svc.invalidate)))
  const gc = (globalThis as any).gc
  gc(); gc()
  const before = process.memoryUsage().heapUsed
  if (snap) v8.writeHeapSnapshot(`${snap}-0.heapsnapshot`)
  await run("t", N)
  gc(); gc()
  const after = process.memoryUsage().heapUsed
  if (snap) v8.writeHeapSnapshot(`${snap}-1.heapsnapshot`)
  fs.writeFileSync("/tmp/scripts.json", JSON.stringify(scripts))
  console.log(`per tenant ${((after - before) / N / 1024).toFixed(2)} KB`)
  await rt.dispose()
}
main()
