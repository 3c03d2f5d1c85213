// The same program through `require` (CommonJS), with the per-module entry points.
const { LuccaClient } = require("@effect-lucca/core")
const NodeLucca = require("@effect-lucca/platform-node/NodeLucca")
const Effect = require("effect/Effect")
const Schema = require("effect/Schema")
const Stream = require("effect/Stream")

// nothing under internal/ can be reached
for (const hidden of ["@effect-lucca/core/internal/http", "@effect-lucca/testing/internal/state"]) {
  try {
    require(hidden)
    throw new Error(`${hidden} should not be importable`)
  } catch (error) {
    if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error
  }
}

const Employee = Schema.Struct({ id: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const program = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 25 }).pipe(
  Stream.runCollect,
  Effect.map((employees) => Array.from(employees)),
  Effect.provide(NodeLucca.layerConfig())
)

Effect.runPromise(program).then(
  (employees) => {
    if (employees.length < 2) throw new Error(`expected employees, got ${employees.length}`)
    console.log(`cjs: ${employees.length} employees, the first: ${JSON.stringify(employees[0]).slice(0, 120)}`)
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
