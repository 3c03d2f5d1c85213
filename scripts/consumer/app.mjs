// A plain JavaScript ES module, run with `node`, as a user writes it after
// `npm install @effect-lucca/core @effect-lucca/platform-node ...`. The LUCCA_* variables point
// at the `fake-lucca` command the consumer test started.
import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { Effect, Schema, Stream } from "effect"

// only `id` is decoded: the rest is printed as the server sent it
const Employee = Schema.Struct({ id: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 25 }).pipe(
  Stream.runCollect,
  Effect.map((employees) => Array.from(employees)),
  Effect.provide(NodeLucca.layerConfig())
)

const employees = await Effect.runPromise(program)
if (employees.length < 2) throw new Error(`expected employees, got ${employees.length}`)
if (new Set(employees.map((employee) => employee.id)).size !== employees.length) throw new Error("duplicate ids")
console.log(`esm: ${employees.length} employees, the first: ${JSON.stringify(employees[0]).slice(0, 120)}`)
