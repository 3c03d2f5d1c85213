import { LuccaClient } from "@effect-lucca/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

const tokenUrl = "http://127.0.0.1:1/connect/token"
const fake = HttpClient.make((request) =>
  Effect.sync(() =>
    request.url === tokenUrl
      ? HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ access_token: "tok-abcdefghijklmnop", token_type: "Bearer", expires_in: 1800, scope: "employees.readonly" }), { status: 200, headers: { "content-type": "application/json" } }))
      : HttpClientResponse.fromWeb(request, new Response('{"id":1}', { status: 200, headers: { "content-type": "application/json" } }))
  )
)
const FakeLayer = Layer.succeed(HttpClient.HttpClient, fake)

const N = Number(process.argv[2] ?? 30000)
const which = process.argv[3] ?? "both"

const main = async () => {
  const rt = ManagedRuntime.make(Layer.provide(LuccaClient.layer({
    clientId: "id", clientSecret: Redacted.make("secret"), scopes: ["employees.readonly"],
    accountUrl: "http://127.0.0.1:2", tokenUrl, rateLimit: false, requestRetry: (process.env.NORETRY ? false : undefined) as any
  }), FakeLayer))
  const lucca = await rt.runPromise(LuccaClient.LuccaClient)
  const bare = fake.pipe(HttpClient.mapRequest(HttpClientRequest.setHeaders({ authorization: "Bearer tok-abcdefghijklmnop", "api-version": "2024-11-01", accept: "application/json" })))
  const onceLucca = Effect.flatMap(lucca.execute(HttpClientRequest.get("/lucca-api/employees/1")), (r) => Effect.as(r.text, r.status))
  const onceBare = Effect.flatMap(bare.get("http://127.0.0.1:2/lucca-api/employees/1"), (r) => Effect.as(r.text, r.status))
  const run = async (once: Effect.Effect<number, unknown>) => {
    const c0 = process.cpuUsage()
    await rt.runPromise(Effect.forEach(Array.from({ length: N }), () => once, { discard: true }))
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / N
  }
  await run(onceLucca); await run(onceBare)
  const res: Record<string, number[]> = { bare: [], lucca: [] }
  const diffs: number[] = []
  for (let i = 0; i < 24; i++) {
    const b = which !== "lucca" ? await run(onceBare) : 0
    const l = which !== "bare" ? await run(onceLucca) : 0
    res.bare.push(b); res.lucca.push(l); diffs.push(l - b)
  }
  console.log("diffs", diffs.map((d) => d.toFixed(1)).join(" "), "median diff", [...diffs].sort((x, y) => x - y)[12].toFixed(1))
  const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]
  console.log(`bare ${med(res.bare)?.toFixed(1)} µs  lucca ${med(res.lucca)?.toFixed(1)} µs  diff ${(med(res.lucca)! - med(res.bare)!).toFixed(1)}`)
  await rt.dispose()
}
main()
