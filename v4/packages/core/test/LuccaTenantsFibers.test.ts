/**
 * The Effect 3 line's `LuccaTenants` test that counted the registry's fibers with
 * `Supervisor.track`, ported: Effect 4 has no `Supervisor`, so the running fibers are
 * counted by a `Metric.FiberRuntimeMetrics` service of the test's own, which every fiber
 * started under it reports its start and end to.
 */
import { LuccaTenants } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { json, makeFake } from "./fixtures.js"

const optionsOf = (tenant: string) => ({
  clientId: `client-${tenant}`,
  clientSecret: Redacted.make(`secret-${tenant}`),
  scopes: ["employees.readonly"],
  accountUrl: `https://${tenant}.ilucca.net`
})

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })
const employees = (tenant: string) =>
  LuccaTenants.use(tenant, (lucca) => Effect.map(lucca.get("/lucca-api/employees", Page), (page) => page.items))

/** Counts the fibers started under it that have not ended yet. */
const trackFibers = () => {
  let running = 0
  const service: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: () => {
      running++
    },
    recordFiberEnd: () => {
      running--
    }
  }
  return { service, running: Effect.sync(() => running) }
}

describe("LuccaTenants", () => {
  it.effect("an idle tenant holds no running fiber once released", () => {
    const fake = makeFake()
    fake.state.onApi = () => Effect.succeed(json(200, { items: [{ id: "1" }] }))
    const tracked = trackFibers()
    return Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      yield* Effect.all([employees("acme"), employees("globex")], { concurrency: 2 })
      // between the last use and the release, one fiber waits for both idle tenants
      assert.strictEqual(yield* tracked.running, 1)
      yield* TestClock.adjust("5 minutes")
      assert.deepStrictEqual(yield* tenants.tenants, [])
      assert.strictEqual(yield* tracked.running, 0)
    }).pipe(
      Effect.provide(LuccaTenants.layer(optionsOf, { idleTimeToLive: "5 minutes" }).pipe(Layer.provide(fake.layer))),
      Effect.provideService(Metric.FiberRuntimeMetrics, tracked.service)
    )
  })
})
