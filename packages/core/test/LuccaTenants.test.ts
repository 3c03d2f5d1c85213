import { LuccaTenants } from "@effect-lucca/core"
import { FakeLucca, FakeLuccaClient } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"

// the emulator declares one application per account: acme's is the default one
const optionsOf = (tenant: string) => ({
  clientId: tenant === "acme" ? FakeLucca.defaultClientId : `${FakeLucca.defaultClientId}-${tenant}`,
  clientSecret: Redacted.make(
    tenant === "acme" ? FakeLucca.defaultClientSecret : `${FakeLucca.defaultClientSecret}-${tenant}`
  ),
  scopes: ["employees.readonly"],
  accountUrl: `https://${tenant}.ilucca.net`
})

const Emulator = FakeLuccaClient.layerFake({ accounts: ["acme", "globex"] })
const Tenants = LuccaTenants.layer(optionsOf, { idleTimeToLive: "5 minutes" }).pipe(Layer.provideMerge(Emulator))

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })
const employees = (tenant: string) =>
  LuccaTenants.use(tenant, (lucca) => Effect.map(lucca.get("/lucca-api/employees", Page), (page) => page.items))

describe("LuccaTenants", () => {
  it.scoped("builds a tenant's client on first use and releases it after the idle time to live", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      const fake = yield* FakeLucca.FakeLucca
      assert.deepStrictEqual(yield* tenants.tenants, [])
      assert.isAbove((yield* employees("acme")).length, 0)
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
      // reused while kept: no second token
      yield* employees("acme")
      assert.strictEqual((yield* fake.stats).token.issued, 1)
      yield* TestClock.adjust("4 minutes")
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* tenants.tenants, [])
      // built again on the next use, with a token of its own
      yield* employees("acme")
      assert.strictEqual((yield* fake.stats).token.issued, 2)
    }).pipe(Effect.provide(Tenants)))

  it.scoped("each tenant is released its idle time to live after its own last use", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      yield* employees("acme")
      yield* TestClock.adjust("2 minutes")
      yield* employees("globex")
      yield* TestClock.adjust("2 minutes")
      // used again: acme's time to live starts over, after globex's
      yield* employees("acme")
      yield* TestClock.adjust("4 minutes")
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* tenants.tenants, [])
    }).pipe(Effect.provide(Tenants)))

  it.scoped("a client in use is not released, however long it runs", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      yield* tenants.get("acme")
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
    }).pipe(Effect.provide(Tenants)))

  it.scoped("two tenants do not share tokens", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      // the emulator answers an account's API only to a token of one of its applications
      yield* Effect.all([employees("acme"), employees("globex"), employees("acme")], { concurrency: 3 })
      const stats = yield* fake.stats
      assert.strictEqual(stats.token.issued, 2)
      assert.strictEqual(stats.api.byStatus["401"], undefined)
      assert.strictEqual((yield* fake.issuedTokens).length, 2)
    }).pipe(Effect.provide(Tenants)))

  it.scoped("an idle tenant holds no running fiber once released", () =>
    Effect.gen(function*() {
      const supervisor = yield* Supervisor.track
      const running = Effect.map(supervisor.value, (fibers) => fibers.length)
      yield* Effect.gen(function*() {
        const tenants = yield* LuccaTenants.LuccaTenants
        yield* Effect.all([employees("acme"), employees("globex")], { concurrency: 2 })
        // between the last use and the release, one fiber waits for both idle tenants
        assert.strictEqual(yield* running, 1)
        yield* TestClock.adjust("5 minutes")
        assert.deepStrictEqual(yield* tenants.tenants, [])
        assert.strictEqual(yield* running, 0)
      }).pipe(Effect.supervised(supervisor), Effect.provide(Tenants))
    }))

  it.scoped("a tenant whose options are wrong fails with a ConfigError naming the option, and is not kept", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      const exit = yield* Effect.exit(employees("nowhere"))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) && exit.cause), "accountUrl")
      assert.deepStrictEqual(yield* tenants.tenants, [])
    }).pipe(
      Effect.provide(
        LuccaTenants.layer((tenant) => ({ ...optionsOf(tenant), accountUrl: `ftp://${tenant}` })).pipe(
          Layer.provideMerge(Emulator)
        )
      )
    ))

  it.effect("an idle time to live that is not a duration is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(
          LuccaTenants.layer(optionsOf, { idleTimeToLive: "5 minutez" as Duration.DurationInput }).pipe(
            Layer.provide(Emulator)
          )
        ).pipe(Effect.scoped)
      )
      assert.include(String(error), "idleTimeToLive")
    }))

  it.scoped("layerConfig reads each tenant's options when its client is built", () =>
    Effect.gen(function*() {
      assert.isAbove((yield* employees("globex")).length, 0)
    }).pipe(
      Effect.provide(
        LuccaTenants.layerConfig((tenant) => ({
          clientId: Config.string(`${tenant.toUpperCase()}_CLIENT_ID`),
          clientSecret: Config.redacted(`${tenant.toUpperCase()}_CLIENT_SECRET`),
          scopes: Config.succeed(["employees.readonly"]),
          accountUrl: Config.succeed(`https://${tenant}.ilucca.net`)
        })).pipe(Layer.provideMerge(Emulator))
      ),
      Effect.withConfigProvider(ConfigProvider.fromMap(
        new Map([
          ["GLOBEX_CLIENT_ID", `${FakeLucca.defaultClientId}-globex`],
          ["GLOBEX_CLIENT_SECRET", `${FakeLucca.defaultClientSecret}-globex`]
        ])
      ))
    ))
})
