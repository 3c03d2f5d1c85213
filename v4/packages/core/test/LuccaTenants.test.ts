/**
 * The tenant registry, over the scriptable fake (which serves every account origin): the
 * behaviour tests of the Effect 3 line's LuccaTenants tests, counted on the fake's token
 * requests instead of the emulator's statistics.
 */
import { LuccaTenants } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { bearer, json, makeFake } from "./fixtures.js"

const optionsOf = (tenant: string) => ({
  clientId: `client-${tenant}`,
  clientSecret: Redacted.make(`secret-${tenant}`),
  scopes: ["employees.readonly"],
  accountUrl: `https://${tenant}.ilucca.net`
})

/** A fake whose tokens name the client application and the request number. */
const tenantFake = () => {
  const fake = makeFake()
  fake.state.onToken = (n, request) =>
    Effect.succeed(json(200, {
      access_token: `${new URLSearchParams(request.body).get("client_id")}-${n}`,
      token_type: "Bearer",
      expires_in: 1800
    }))
  fake.state.onApi = () => Effect.succeed(json(200, { items: [{ id: "1" }] }))
  return fake
}

const Page = Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.String })) })
const employees = (tenant: string) =>
  LuccaTenants.use(tenant, (lucca) => Effect.map(lucca.get("/lucca-api/employees", Page), (page) => page.items))

const withTenants = (fake: ReturnType<typeof makeFake>) =>
  Effect.provide(LuccaTenants.layer(optionsOf, { idleTimeToLive: "5 minutes" }).pipe(Layer.provide(fake.layer)))

describe("LuccaTenants", () => {
  it.effect("builds a tenant's client on first use and releases it after the idle time to live", () => {
    const fake = tenantFake()
    return Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      assert.deepStrictEqual(yield* tenants.tenants, [])
      assert.isAbove((yield* employees("acme")).length, 0)
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
      // reused while kept: no second token
      yield* employees("acme")
      assert.strictEqual(fake.state.tokenRequests.length, 1)
      yield* TestClock.adjust("4 minutes")
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* tenants.tenants, [])
      // built again on the next use, with a token of its own
      yield* employees("acme")
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }).pipe(withTenants(fake))
  })

  it.effect("each tenant is released its idle time to live after its own last use", () =>
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
    }).pipe(withTenants(tenantFake())))

  it.effect("a client in use is not released, however long it runs", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      yield* tenants.get("acme")
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(yield* tenants.tenants, ["acme"])
    }).pipe(withTenants(tenantFake())))

  it.effect("two tenants do not share tokens", () => {
    const fake = tenantFake()
    return Effect.gen(function*() {
      yield* Effect.all([employees("acme"), employees("globex"), employees("acme")], { concurrency: 3 })
      assert.strictEqual(fake.state.tokenRequests.length, 2)
      for (const request of fake.state.apiRequests) {
        const tenant = request.url.hostname.split(".")[0]
        assert.match(bearer(request) ?? "", new RegExp(`^client-${tenant}-`))
      }
    }).pipe(withTenants(fake))
  })

  it.effect("a tenant whose options are wrong fails with a ConfigError naming the option, and is not kept", () =>
    Effect.gen(function*() {
      const tenants = yield* LuccaTenants.LuccaTenants
      const exit = yield* Effect.exit(employees("nowhere"))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) && exit.cause), "accountUrl")
      assert.deepStrictEqual(yield* tenants.tenants, [])
    }).pipe(
      Effect.provide(
        LuccaTenants.layer((tenant) => ({ ...optionsOf(tenant), accountUrl: `ftp://${tenant}` })).pipe(
          Layer.provide(tenantFake().layer)
        )
      )
    ))

  it.effect("an idle time to live that is not a duration is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(
          LuccaTenants.layer(optionsOf, { idleTimeToLive: "5 minutez" as Duration.Input }).pipe(
            Layer.provide(tenantFake().layer)
          )
        )
      )
      assert.instanceOf(error, Config.ConfigError)
      assert.include(String(error), "idleTimeToLive")
    }))

  it.effect("layerConfig reads each tenant's options when its client is built", () => {
    const fake = tenantFake()
    return Effect.gen(function*() {
      assert.isAbove((yield* employees("globex")).length, 0)
      assert.strictEqual(new URLSearchParams(fake.state.tokenRequests[0].body).get("client_id"), "globex-id")
    }).pipe(
      Effect.provide(
        LuccaTenants.layerConfig((tenant) => ({
          clientId: Config.String(`${tenant.toUpperCase()}_CLIENT_ID`),
          clientSecret: Config.Redacted(`${tenant.toUpperCase()}_CLIENT_SECRET`),
          scopes: Config.succeed(["employees.readonly"]),
          accountUrl: Config.succeed(`https://${tenant}.ilucca.net`)
        })).pipe(Layer.provide(fake.layer))
      ),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({
        env: { GLOBEX_CLIENT_ID: "globex-id", GLOBEX_CLIENT_SECRET: "globex-secret" }
      })))
    )
  })
})
