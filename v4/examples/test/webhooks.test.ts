/**
 * The Effect 4 webhooks example, run as a user runs it: its receiver on a real loopback
 * socket, the emulator of the Effect 4 line on others, `NodeLucca.layer` between them.
 */
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Webhooks from "../src/webhooks.js"

describe("webhooks example (Effect 4)", () => {
  it.live("subscribes a loopback receiver, which the emulator activates, and receives the employee change verified", () =>
    Effect.gen(function*() {
      const fake = yield* FakeLucca.FakeLucca
      const result = yield* Webhooks.program
      assert.deepStrictEqual({ topic: result.topic, employee: result.employee }, {
        topic: "employee.updated",
        employee: "1001"
      })

      const data = yield* fake.data()
      const endpoint = data.resources["webhook-endpoints"].find((e) => e.id === result.endpoint)
      assert.isDefined(endpoint, "the endpoint the example created is recorded")
      assert.strictEqual(endpoint!.status, "active", "the receiver answered the activation echo")
      const deliveries = data.resources["webhook-deliveries"].filter((d) =>
        (d.event as { type: string }).type === "employee.updated" &&
        (d.webhookEndpoint as { id: string }).id === result.endpoint
      )
      assert.strictEqual(deliveries.length, 1)
      assert.strictEqual(deliveries[0].status, "delivered", "the receiver accepted the signed delivery")
      assert.strictEqual(deliveries[0].attemptsCount, 1, "at the first attempt")
    }).pipe(Effect.provide(Webhooks.layerEmulator)))
})
