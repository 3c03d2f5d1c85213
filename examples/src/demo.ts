/**
 * Runs every example against one target and prints a summary: `pnpm demo` at the root.
 * Against the local emulator by default; against a real account when `LUCCA_CLIENT_ID`,
 * `LUCCA_CLIENT_SECRET` and `LUCCA_ACCOUNT_URL` are set.
 */
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Employees from "./employees.js"
import * as Employments from "./employments.js"
import * as Events from "./events.js"
import * as MissingScope from "./missing-scope.js"
import * as Organisation from "./organisation.js"
import * as Target from "./Target.js"
import * as TokenPerFlow from "./token-per-flow.js"
import * as Tracing from "./tracing.js"
import * as TwoApplications from "./two-applications.js"
import * as WebhookEndpoints from "./webhook-endpoints.js"
import * as Webhooks from "./webhooks.js"

const examples: ReadonlyArray<{
  readonly name: string
  readonly scopes: string
  readonly program: Effect.Effect<unknown, unknown, Target.Target>
}> = [
  { name: "employees", scopes: "employees.readonly", program: Employees.program },
  { name: "organisation", scopes: Organisation.scopes.join(" "), program: Organisation.program },
  { name: "employments", scopes: Employments.scopes.join(" "), program: Employments.program },
  { name: "events", scopes: Events.scopes.join(" "), program: Events.program },
  { name: "webhook-endpoints", scopes: WebhookEndpoints.scopes.join(" "), program: WebhookEndpoints.program },
  { name: "webhooks", scopes: Webhooks.scopes.join(" "), program: Webhooks.program },
  { name: "missing-scope", scopes: "employees.readonly (reads events)", program: MissingScope.program },
  { name: "two-applications", scopes: "employees.readonly | events.readonly", program: TwoApplications.program },
  { name: "token-per-flow", scopes: "departments.readonly", program: TokenPerFlow.program },
  { name: "tracing", scopes: Tracing.scopes.join(" "), program: Tracing.program }
]

export const demo = Effect.gen(function*() {
  const target = yield* Target.Target
  yield* Console.log(`effect-lucca examples, against ${target.description}\n`)
  const results: Array<{ name: string; scopes: string; ok: boolean; result: string }> = []
  for (const example of examples) {
    yield* Console.log(`▶ ${example.name} (${example.scopes})`)
    const exit = yield* Effect.exit(example.program)
    const ok = Exit.isSuccess(exit)
    if (!ok) yield* Console.error(Cause.pretty(exit.cause))
    results.push({
      ...example,
      ok,
      result: Exit.isSuccess(exit) ? JSON.stringify(exit.value) : "failed"
    })
    yield* Console.log("")
  }
  const width = Math.max(...results.map((r) => r.name.length))
  yield* Console.log("Summary")
  for (const r of results) {
    yield* Console.log(`  ${r.ok ? "ok    " : "FAILED"}  ${r.name.padEnd(width)}  ${r.result}`)
  }
  const failed = results.filter((r) => !r.ok).length
  yield* Console.log(`\n${results.length - failed} passed, ${failed} failed`)
  if (failed > 0) return yield* Effect.fail(`${failed} example(s) failed`)
})

Target.runIfMain(import.meta.url, demo)
