// Type-checked (never run) with `tsc --init` defaults plus the strictest flags, against the
// installed declarations only. `modules.ts`, written by the consumer test, imports every
// public module of every package, so that all their declarations are checked too.
import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import { Effect, Schema, Stream } from "effect"

const Employee = Schema.Struct({ id: Schema.String })

export const employees = LuccaClient.paginate("/lucca-api/employees", Employee, { limit: 100 }).pipe(
  Stream.runCollect,
  Effect.map((chunk): ReadonlyArray<string> => Array.from(chunk, (employee) => employee.id)),
  Effect.provide(NodeLucca.layerConfig())
)

export const run = (): Promise<ReadonlyArray<string>> => Effect.runPromise(employees)
