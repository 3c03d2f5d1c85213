#!/usr/bin/env node
/**
 * `lucca`: the command on Node.js.
 *
 * @since 0.1.0
 */
import { NodeLucca } from "@effect-lucca/platform-node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as LuccaCli from "./LuccaCli.js"

LuccaCli.run(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => process.exitCode = code)),
  Effect.provide([NodeServices.layer, NodeLucca.layerHttpClient]),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // runMain interrupts the program on SIGINT and SIGTERM; scopes close, then we exit
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? (process.exitCode as number | undefined) ?? 0
          : Cause.hasInterruptsOnly(exit.cause)
          ? LuccaCli.ExitCode.Interrupted
          : LuccaCli.ExitCode.Internal
      )
  })
)
