import { LuccaCli } from "@effect-lucca/cli"
import { FakeLucca } from "@effect-lucca/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fakeEnv, runInProcess, secretsIn } from "./utils.js"
import type { Outcome } from "./utils.js"

/** Every secret of the emulator's applications and every token it issued: none may be printed. */
const secretsOf = Effect.gen(function*() {
  const fake = yield* FakeLucca.FakeLucca
  const applications = yield* fake.applications
  const tokens = yield* fake.issuedTokens
  return [...applications.map((application) => application.clientSecret), ...tokens]
})

const assertNoSecret = (outcome: Outcome) =>
  Effect.gen(function*() {
    const secrets = yield* secretsOf
    assert.deepStrictEqual(secretsIn(outcome.stdout + outcome.stderr, secrets), [])
  })

const jsonLines = (text: string) =>
  text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as { id: string })

describe("lucca, in process over the emulator", () => {
  it.layer(FakeLucca.layer())((it) => {
    it.effect("doctor passes every check, one line each, and exits 0", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["doctor"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stdout + outcome.stderr)
        for (const check of ["settings", "token host", "credentials", "scopes", "account"]) {
          assert.match(outcome.stdout, new RegExp(`^ok\\s+${check}\\s`, "m"))
        }
        assert.match(outcome.stdout, /^ok\s+scope\s+employees\.readonly: GET \/lucca-api\/employees answered$/m)
        assert.match(outcome.stdout, /^ok\s+scope\s+departments\.readonly: GET \/lucca-api\/departments answered$/m)
        assert.notMatch(outcome.stdout, /^FAIL/m)
        yield* assertNoSecret(outcome)
      }))

    it.effect("doctor explains a wrong secret, names the fix, and exits 1", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["doctor"], fakeEnv({ LUCCA_CLIENT_SECRET: "not-the-secret" }))
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Failed)
        assert.match(outcome.stdout, /^FAIL\s+credentials\s+.*invalid_client/m)
        assert.match(outcome.stdout, /fix: Check LUCCA_CLIENT_ID and LUCCA_CLIENT_SECRET/)
        assert.notInclude(outcome.stdout + outcome.stderr, "not-the-secret")
        yield* assertNoSecret(outcome)
      }))

    it.effect("doctor names a missing setting and its flag, and exits 1", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["doctor"], fakeEnv({ LUCCA_CLIENT_SECRET: undefined }))
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Failed)
        assert.match(outcome.stdout, /^FAIL\s+settings\s+LUCCA_CLIENT_SECRET is not set/m)
      }))

    it.effect("a flag overrides its variable", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(
          ["doctor", "--scopes", "employees.readonly"],
          fakeEnv({ LUCCA_SCOPES: "not a scope" })
        )
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stdout)
        assert.match(outcome.stdout, /^ok\s+scopes\s+granted employees\.readonly$/m)
      }))

    it.effect("doctor reports a scope the application was not granted (invalid_scope)", () =>
      Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const application = yield* fake.registerApplication({
          name: "directory",
          scopes: ["employees.readonly"],
          clientId: "directory-client",
          clientSecret: "directory-secret"
        })
        const outcome = yield* runInProcess(
          ["doctor"],
          fakeEnv({
            LUCCA_CLIENT_ID: application.clientId,
            LUCCA_CLIENT_SECRET: "directory-secret",
            LUCCA_SCOPES: "employees.readonly departments.readonly"
          })
        )
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Failed)
        assert.match(outcome.stdout, /^FAIL\s+credentials\s+.*invalid_scope/m)
        assert.include(outcome.stdout, "fix: Grant the scopes to the client application at https://example.ilucca.net")
        yield* assertNoSecret(outcome)
      }))

    it.effect("get renders a 403 as the missing scope and what to do, and exits 3", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(
          ["get", "/lucca-api/departments"],
          fakeEnv({ LUCCA_SCOPES: "employees.readonly" })
        )
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Configuration)
        assert.strictEqual(outcome.stdout, "")
        const [what, fix, ...rest] = outcome.stderr.trimEnd().split("\n")
        assert.match(what, /^error: GET .*\/lucca-api\/departments was refused with 403 Forbidden/)
        assert.include(what, "lacks departments.readonly")
        assert.match(fix, /^ {2}fix: Grant departments\.readonly to the client application at https:\/\/example/)
        assert.deepStrictEqual(rest, [], "no details without --verbose")
        assert.notInclude(outcome.stderr, "    at ", "no stack trace")
      }))

    it.effect("--verbose adds the error's details", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(
          ["get", "/lucca-api/departments", "--verbose"],
          fakeEnv({ LUCCA_SCOPES: "employees.readonly" })
        )
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Configuration)
        assert.include(outcome.stderr, "    _tag: Forbidden")
        assert.include(outcome.stderr, "    grantedScopes: [\"employees.readonly\"]")
        yield* assertNoSecret(outcome)
      }))

    it.effect("get prints the resource as JSON on standard output", () =>
      Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const employee = (yield* fake.data()).resources.employees[0]
        const outcome = yield* runInProcess(["get", `/lucca-api/employees/${employee.id}`], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        assert.strictEqual((JSON.parse(outcome.stdout) as { id: string }).id, employee.id)
        yield* assertNoSecret(outcome)
      }))

    it.effect("list follows the cursors: one JSON line per item, every item once", () =>
      Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const departments = (yield* fake.data()).resources.departments
        const outcome = yield* runInProcess(["list", "/lucca-api/departments", "--page-size", "2"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        const ids = jsonLines(outcome.stdout).map((item) => item.id)
        assert.isAbove(departments.length, 2, "the listing spans several pages")
        assert.deepStrictEqual([...ids].sort(), departments.map((department) => department.id).sort())
        assert.strictEqual(outcome.stderr, "", "no progress line when standard error is not a terminal")
      }))

    it.effect("list stops after --limit items", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["list", "/lucca-api/employees", "--limit", "7"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        assert.strictEqual(jsonLines(outcome.stdout).length, 7)
      }))

    it.effect("list refuses a malformed filter with exit code 2", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["list", "/lucca-api/employees", "--filter", "active"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Usage)
        assert.include(outcome.stderr, "error: --filter must be key=value, got 'active'.")
      }))

    it.effect("an unknown flag is a usage error (exit 2)", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["doctor", "--acount-url", "x"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Usage)
      }))

    // effect/cli gives `-v` to --version: lucca keeps it for --verbose, as the Effect 3 line
    it.effect("-v is --verbose, and --version prints the version", () =>
      Effect.gen(function*() {
        const verbose = yield* runInProcess(
          ["get", "/lucca-api/departments", "-v"],
          fakeEnv({ LUCCA_SCOPES: "employees.readonly" })
        )
        assert.strictEqual(verbose.code, LuccaCli.ExitCode.Configuration)
        assert.include(verbose.stderr, "    _tag: Forbidden")
        assert.notInclude(verbose.stdout, LuccaCli.version)
        const version = yield* runInProcess(["--version"], fakeEnv())
        assert.strictEqual(version.code, LuccaCli.ExitCode.Ok)
        assert.strictEqual(version.stdout, `lucca v${LuccaCli.version}\n`)
      }))

    it.effect("--help on every command exits 0 and describes it", () =>
      Effect.gen(function*() {
        for (const command of [[], ["doctor"], ["token"], ["get"], ["list"], ["emulator"], ["webhooks", "listen"]]) {
          const outcome = yield* runInProcess([...command, "--help"], fakeEnv())
          assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, command.join(" "))
          assert.include(outcome.stdout, "USAGE", command.join(" "))
        }
      }))

    it.effect("token: nothing on standard output without --print, the expiry on standard error", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["token"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        assert.strictEqual(outcome.stdout, "")
        assert.match(outcome.stderr, /expires at \d{4}-\d\d-\d\dT/)
        assert.include(outcome.stderr, "pass --print")
        yield* assertNoSecret(outcome)
      }))

    it.effect("token --print writes the token, and only it, to standard output", () =>
      Effect.gen(function*() {
        const fake = yield* FakeLucca.FakeLucca
        const outcome = yield* runInProcess(["token", "--print"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        const tokens = (yield* fake.issuedTokens).map(Redacted.value)
        assert.strictEqual(outcome.stdout, `${tokens[tokens.length - 1]}\n`)
        assert.deepStrictEqual(secretsIn(outcome.stderr, yield* secretsOf), [])
      }))

    it.effect("token --json is one object, with access_token only with --print", () =>
      Effect.gen(function*() {
        const plain = yield* runInProcess(["token", "--json"], fakeEnv())
        const object = JSON.parse(plain.stdout) as Record<string, unknown>
        assert.deepStrictEqual(Object.keys(object).sort(), ["expires_at", "expires_in", "scope", "token_type"])
        assert.strictEqual(object.scope, "employees.readonly departments.readonly")
        yield* assertNoSecret(plain)
        const printed = JSON.parse((yield* runInProcess(["token", "--json", "--print"], fakeEnv())).stdout)
        assert.isString(printed.access_token)
      }))

    it.effect("token with a wrong secret links to the integration keys of LUCCA_ACCOUNT_URL", () =>
      Effect.gen(function*() {
        const outcome = yield* runInProcess(["token"], fakeEnv({ LUCCA_CLIENT_SECRET: "not-the-secret" }))
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Configuration)
        assert.include(outcome.stderr, `${FakeLucca.defaultAccountUrl}/identity/admin/integration-keys`)
        assert.notInclude(outcome.stderr, "{account}")
      }))

    it.effect("--trace FILE writes the command's spans as OTLP JSON, without secrets", () =>
      Effect.gen(function*() {
        const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "lucca-trace-")), "trace.json")
        const outcome = yield* runInProcess(["--trace", file, "get", "/lucca-api/departments"], fakeEnv())
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        const text = Fs.readFileSync(file, "utf8")
        const trace = JSON.parse(text) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }
            scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; parentSpanId?: string }> }>
          }>
        }
        const service = trace.resourceSpans[0].resource.attributes.find((a) => a.key === "service.name")
        assert.strictEqual(service?.value.stringValue, "lucca")
        const spans = trace.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
        const names = spans.map((span) => span.name)
        assert.include(names, "lucca get")
        assert.include(names, "ClientCredentials.requestToken")
        assert.strictEqual(new Set(spans.map((span) => span.traceId)).size, 1, "one trace")
        assert.deepStrictEqual(secretsIn(text, yield* secretsOf), [])
      }))

    // security finding 10: a response header may echo the token
    it.effect("--trace redacts an echoed token, creates the file 0600 and refuses a symbolic link", () =>
      Effect.gen(function*() {
        const transformClient = (client: HttpClient.HttpClient) =>
          HttpClient.make((request, url) =>
            url.pathname === "/lucca-api/echo"
              ? Effect.succeed(HttpClientResponse.fromWeb(
                request,
                new Response("{}", {
                  status: 200,
                  headers: {
                    "content-type": "application/json",
                    "x-echo-authorization": request.headers["authorization"] ?? ""
                  }
                })
              ))
              : client.execute(request)
          )
        const folder = Fs.mkdtempSync(Path.join(Os.tmpdir(), "lucca-trace-"))
        const file = Path.join(folder, "trace.json")
        const outcome = yield* runInProcess(["--trace", file, "get", "/lucca-api/echo"], fakeEnv(), {
          transformClient
        })
        assert.strictEqual(outcome.code, LuccaCli.ExitCode.Ok, outcome.stderr)
        const text = Fs.readFileSync(file, "utf8")
        assert.include(text, "x-echo-authorization", "the header is traced")
        assert.include(text, "Bearer <redacted>")
        assert.deepStrictEqual(secretsIn(text, yield* secretsOf), [])
        assert.strictEqual(Fs.statSync(file).mode & 0o777, 0o600)

        // an existing file readable by others is made private too
        const existing = Path.join(folder, "existing.json")
        Fs.writeFileSync(existing, "old", { mode: 0o644 })
        Fs.chmodSync(existing, 0o644)
        const again = yield* runInProcess(["--trace", existing, "get", "/lucca-api/echo"], fakeEnv(), {
          transformClient
        })
        assert.strictEqual(again.code, LuccaCli.ExitCode.Ok, again.stderr)
        assert.strictEqual(Fs.statSync(existing).mode & 0o777, 0o600)

        // a symbolic link at the path is refused, its target left alone
        const target = Path.join(folder, "target")
        Fs.writeFileSync(target, "keep")
        const link = Path.join(folder, "link.json")
        Fs.symlinkSync(target, link)
        const refused = yield* runInProcess(["--trace", link, "get", "/lucca-api/echo"], fakeEnv(), {
          transformClient
        })
        assert.strictEqual(refused.code, LuccaCli.ExitCode.Usage, refused.stderr)
        assert.match(refused.stderr, /^error: .*symbolic link/m)
        assert.strictEqual(Fs.readFileSync(target, "utf8"), "keep")
        assert.strictEqual(refused.stdout, "", "the command did not run")
      }))
  })
})
