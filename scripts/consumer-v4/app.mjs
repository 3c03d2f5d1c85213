// The Effect 4 line as npm users get it: the README's program, run by plain `node` (22)
// against the emulator whose URLs and credentials the consumer test passes in LUCCA_*.
import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { Effect, Redacted, Schema, Stream } from "effect"

const Employee = Schema.Struct({ id: Schema.String, givenName: Schema.String, familyName: Schema.String })

const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 25 }).pipe(
  Stream.runCollect,
  Effect.provide(NodeLucca.layer({
    clientId: process.env.LUCCA_CLIENT_ID,
    clientSecret: Redacted.make(process.env.LUCCA_CLIENT_SECRET),
    scopes: ["employees.readonly"],
    accountUrl: process.env.LUCCA_ACCOUNT_URL,
    tokenUrl: process.env.LUCCA_TOKEN_URL
  }))
)

const employees = await Effect.runPromise(program)
for (const employee of employees.slice(0, 3)) console.log(`${employee.givenName} ${employee.familyName}`)
console.log(`${employees.length} employees`)
if (employees.length === 0) process.exit(1)
