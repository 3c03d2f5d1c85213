/**
 * `lucca doctor`: one check per line, each with a verdict and, when it fails, the fix.
 */
import { ClientCredentials, LuccaClient, LuccaConfig, LuccaScope, TokenProvider } from "@effect-lucca/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Otlp from "./otlp.js"
import * as Render from "./render.js"
import * as Settings from "./settings.js"

/** A check's outcome. `skip` does not fail the doctor: the check could not apply. */
type Verdict = "ok" | "fail" | "skip"

const label: Record<Verdict, string> = { ok: "ok  ", fail: "FAIL", skip: "skip" }

/** The largest clock difference accepted from the account's `Date` header. */
const maxSkew = Duration.minutes(1)
const probeTimeout = Duration.seconds(10)

/** The GET operation without path parameters that a scope grants, if the description has one. */
const probeFor = (scope: string): LuccaScope.Operation | undefined =>
  LuccaScope.operations.find((operation) =>
    operation.method === "GET" && !operation.path.includes("{") && operation.scopes.includes(scope)
  )

/** Runs the checks; fails with `Render.Exit` (code 1) when one of them failed. */
export const run = (flags: Settings.Flags): Effect.Effect<void, Render.Exit, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    let failed = 0
    const report = (verdict: Verdict, name: string, detail: string, fix?: string) => {
      if (verdict === "fail") failed++
      // details and fixes quote what servers answered: one line each, no terminal sequence
      const lines = [`${label[verdict]}  ${name.padEnd(12)} ${Render.printable(detail)}`]
      if (verdict === "fail" && fix !== undefined) lines.push(`      ${"".padEnd(12)} fix: ${Render.printable(fix)}`)
      return Console.log(lines.join("\n"))
    }
    const fromError = (name: string, error: unknown, accountUrl?: string) => {
      const rendered = Render.render(error, accountUrl)
      return report("fail", name, rendered.what, rendered.fix)
    }

    // 1. settings
    const read = yield* Effect.result(Settings.read(flags))
    if (Result.isFailure(read)) {
      for (const problem of Settings.problems(read.failure)) {
        yield* report(
          "fail",
          "settings",
          `${problem.setting} ${problem.message}`,
          `${Settings.howToSet(problem.setting)}.`
        )
      }
      yield* report("skip", "others", "the other checks need valid settings")
      return yield* new Render.Exit({ code: Render.ExitCode.Failed })
    }
    const settings = read.success
    yield* Otlp.redactWith(TokenProvider.makeStatic(settings.clientSecret).redact)
    const tokenUrl = settings.tokenUrl ?? ClientCredentials.defaultTokenUrl
    const apiVersion = settings.apiVersion ?? LuccaConfig.defaultApiVersion
    yield* report(
      "ok",
      "settings",
      `client id ${settings.clientId}, secret set (not shown), scopes ${
        settings.scopes.join(" ")
      }, account ${settings.accountUrl}, token URL ${tokenUrl}, Api-Version ${apiVersion}`
    )

    const http = yield* HttpClient.HttpClient
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.gen(function*() {
        const before = yield* Clock.currentTimeMillis
        const response = yield* http.execute(request).pipe(Effect.timeout(probeTimeout))
        const after = yield* Clock.currentTimeMillis
        // the body is not needed: reading it frees the connection
        yield* Effect.ignore(response.text)
        return { response, at: (before + after) / 2 }
      }).pipe(Effect.scoped)

    // 2. the token host answers (any HTTP answer will do: a GET is not a token request)
    const tokenHost = yield* Effect.result(send(HttpClientRequest.get(tokenUrl)))
    if (Result.isFailure(tokenHost)) {
      yield* report(
        "fail",
        "token host",
        `${tokenUrl} does not answer: ${describe(tokenHost.failure)}`,
        "Check the network (a proxy, a firewall) and LUCCA_TOKEN_URL (--token-url)."
      )
    } else {
      yield* report("ok", "token host", `${tokenUrl} answers (HTTP ${tokenHost.success.response.status} to a GET)`)
    }

    // 3. the credentials
    const token = yield* Effect.result(ClientCredentials.requestToken({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      scopes: settings.scopes,
      tokenUrl,
      dangerouslyAllowTokenUrl: settings.dangerouslyAllowTokenUrl
    }))
    if (Result.isSuccess(token)) yield* Otlp.redactWith(TokenProvider.makeStatic(token.success).redact)
    if (Result.isFailure(token)) {
      yield* fromError("credentials", token.failure, settings.accountUrl)
    } else {
      yield* report(
        "ok",
        "credentials",
        `a token was issued to ${settings.clientId}, valid ${Duration.format(token.success.lifetime)}`
      )
    }

    // 4. the scopes granted
    if (Result.isSuccess(token)) {
      const granted = token.success.scopes
      const missing = settings.scopes.filter((scope) => !granted.includes(scope))
      if (missing.length > 0) {
        yield* report(
          "fail",
          "scopes",
          `requested ${missing.join(" ")} but the token does not grant ${missing.length === 1 ? "it" : "them"}`,
          `Grant ${
            missing.join(" ")
          } at ${settings.accountUrl}/identity/admin/integration-keys, or remove it from LUCCA_SCOPES (--scopes).`
        )
      } else {
        yield* report("ok", "scopes", `granted ${granted.length === 0 ? "none" : granted.join(" ")}`)
      }
    } else {
      yield* report("skip", "scopes", "no token")
    }

    // 5. the account answers, as a Lucca account API: a request without a token gets a 401
    const probe = `${settings.accountUrl}/lucca-api/legal-entities`
    const account = yield* Effect.result(
      send(HttpClientRequest.get(probe).pipe(HttpClientRequest.setHeader("api-version", apiVersion)))
    )
    let dated: Option.Option<{ readonly date: string; readonly at: number }> = Option.none()
    if (Result.isFailure(account)) {
      yield* report(
        "fail",
        "account",
        `${settings.accountUrl} does not answer: ${describe(account.failure)}`,
        "Check LUCCA_ACCOUNT_URL (--account-url): the origin of your account, such as https://example.ilucca.net."
      )
    } else {
      const { at, response } = account.success
      dated = Option.map(Option.fromNullishOr(response.headers["date"]), (date) => ({ date, at }))
      const verdict = accountVerdict(response)
      if (verdict === undefined) {
        yield* report("ok", "account", `${settings.accountUrl} answers as a Lucca account (401 without a token)`)
      } else {
        yield* report(
          "fail",
          "account",
          `${settings.accountUrl} is not a Lucca account API: ${verdict}`,
          "Check LUCCA_ACCOUNT_URL (--account-url): the origin of your account, such as https://example.ilucca.net."
        )
      }
    }

    // 6. the clock, from the account's Date header (or the token host's)
    if (
      Option.isNone(dated) && Result.isSuccess(tokenHost) && tokenHost.success.response.headers["date"] !== undefined
    ) {
      dated = Option.some({ date: tokenHost.success.response.headers["date"], at: tokenHost.success.at })
    }
    if (Option.isNone(dated) || Number.isNaN(Date.parse(dated.value.date))) {
      yield* report("skip", "clock", "no Date header to compare with")
    } else {
      const skew = Date.parse(dated.value.date) - dated.value.at
      const seconds = Math.round(Math.abs(skew) / 1000)
      // the header has a resolution of one second: a second apart is in step
      const shown = seconds <= 1
        ? "in step with the server"
        : `${skew >= 0 ? "behind" : "ahead of"} the server by ${Duration.format(Duration.seconds(seconds))}`
      if (Math.abs(skew) > Duration.toMillis(maxSkew) + 1000) {
        yield* report(
          "fail",
          "clock",
          `this machine's clock is ${shown}`,
          "Synchronise the system clock (NTP): token lifetimes and webhook timestamps are compared with it."
        )
      } else {
        yield* report("ok", "clock", `this machine's clock is ${shown} (the tolerance is ${Duration.format(maxSkew)})`)
      }
    }

    // 7. one request per granted scope, to an endpoint that needs it
    if (Result.isSuccess(token)) {
      const client = yield* LuccaClient.make({
        tokenProvider: TokenProvider.makeStatic(token.success),
        accountUrl: settings.accountUrl,
        apiVersion
      }).pipe(Effect.orDie)
      for (const scope of token.success.scopes) {
        yield* checkScope(client, scope, settings.accountUrl).pipe(
          Effect.flatMap(({ detail, fix, verdict }) => report(verdict, "scope", `${scope}: ${detail}`, fix))
        )
      }
    }

    if (failed > 0) {
      yield* Console.log(`\n${failed} check${failed === 1 ? "" : "s"} failed.`)
      return yield* new Render.Exit({ code: Render.ExitCode.Failed })
    }
    yield* Console.log("\nEvery check passed.")
  })

const checkScope = (
  client: LuccaClient.Service,
  scope: string,
  accountUrl: string
): Effect.Effect<{ verdict: Verdict; detail: string; fix?: string }> => {
  const operation = probeFor(scope)
  if (operation === undefined) {
    return Effect.succeed({
      verdict: "skip",
      detail: "no endpoint without parameters to read with it in Lucca's API description"
    })
  }
  return client.get(operation.path, Schema.Unknown, { urlParams: { limit: 1 } }).pipe(
    Effect.timeout(probeTimeout),
    Effect.match({
      onSuccess: () => ({ verdict: "ok" as const, detail: `GET ${operation.path} answered` }),
      onFailure: (error) => {
        const rendered = Render.render(error, accountUrl)
        return { verdict: "fail" as const, detail: rendered.what, fix: rendered.fix }
      }
    })
  )
}

/** What is wrong with the account's answer to a request without a token, if anything. */
const accountVerdict = (response: HttpClientResponse.HttpClientResponse): string | undefined => {
  if (response.status === 401) return undefined
  if (response.status >= 300 && response.status < 400) {
    return `it redirects to ${response.headers["location"] ?? "another page"} (HTTP ${response.status})`
  }
  if (response.status >= 200 && response.status < 300) {
    return `it answered ${response.status} to a request without a token`
  }
  return `it answered HTTP ${response.status} where a Lucca account answers 401`
}

const describe = (error: unknown): string =>
  Cause.isTimeoutError(error)
    ? `no answer within ${Duration.format(probeTimeout)}`
    : error instanceof Error
    ? error.message
    : String(error)
