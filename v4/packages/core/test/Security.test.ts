/**
 * The findings of the second security review (issue 11) of the Effect 3 line, one
 * `describe` each, ported. Where the Effect 3 tests use the testing package's
 * `SecretHygiene` harness, a small harness of this file stands in until that package is
 * ported.
 */
import { ClientCredentials, LuccaClient, LuccaError, TokenProvider } from "@effect-lucca/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { accountUrl, clientSecret, credentials, eventually, json, makeFake, tokenFor } from "./fixtures.js"

const options = { ...credentials, accountUrl, rateLimit: false } as const

/** The account answers every request with a redirect to another origin. */
const redirectingFake = () => {
  const fake = makeFake()
  fake.state.onApi = (request) =>
    Effect.succeed(
      request.url.origin === accountUrl
        ? new Response(null, { status: 302, headers: { location: "https://evil.example/collect" } })
        : json(200, { collected: true })
    )
  return fake
}

const sentElsewhere = (fake: ReturnType<typeof makeFake>) =>
  fake.state.apiRequests.filter((request) => request.url.origin !== accountUrl)

/** The ways a secret may be written in what a server echoes (as the testing package's harness lists them). */
const encodings = (secret: string): ReadonlyArray<string> => {
  const percent = encodeURIComponent(secret)
  return [
    ...new Set([
      secret,
      new URLSearchParams({ s: secret }).toString().slice(2),
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      JSON.stringify(secret).slice(1, -1)
    ])
  ]
}

/**
 * Runs effects, keeping every text a user could see of them: their logs (as JSON, with
 * annotations) and, for a failure, the cause rendered and the error as JSON.
 */
const makeHarness = () => {
  const texts: Array<string> = []
  const logger = Logger.map(Logger.formatJson, (line) => {
    texts.push(String(line))
  })
  const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.exit,
      Effect.tap((exit) =>
        Effect.sync(() => {
          if (Exit.isFailure(exit)) {
            texts.push(Cause.pretty(exit.cause))
            for (const reason of exit.cause.reasons) {
              if (reason._tag === "Fail") texts.push(JSON.stringify(reason.error), String(reason.error))
            }
          }
        })
      ),
      Effect.provide(Logger.layer([logger]))
    )
  const leaks = (secrets: Record<string, string>) =>
    Object.entries(secrets).filter(([, secret]) =>
      encodings(secret).some((variant) => texts.some((text) => text.includes(variant)))
    ).map(([name]) => name)
  return { texts, run, leaks }
}

describe("finding 1: the token goes only to the account origin, whatever wraps the client", () => {
  it.effect("httpClient.pipe(HttpClient.followRedirects()) does not follow a 302 to another origin with it", () =>
    Effect.gen(function*() {
      const fake = redirectingFake()
      const lucca = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      const error = yield* Effect.flip(
        lucca.httpClient.pipe(HttpClient.followRedirects()).execute(HttpClientRequest.get("/lucca-api/employees"))
      )
      assert.strictEqual(error._tag, "ForeignOriginError")
      assert.deepStrictEqual(sentElsewhere(fake), [])
      assert.strictEqual(fake.state.apiRequests[0].headers["authorization"], `Bearer ${tokenFor(1)}`)
    }))

  it.effect("transformClient: HttpClient.followRedirects() does not either", () =>
    Effect.gen(function*() {
      const fake = redirectingFake()
      const lucca = yield* LuccaClient.make({ ...options, transformClient: HttpClient.followRedirects() }).pipe(
        Effect.provide(fake.layer)
      )
      const error = yield* Effect.flip(lucca.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.strictEqual(error._tag, "ForeignOriginError")
      assert.deepStrictEqual(sentElsewhere(fake), [])
    }))

  it.effect("a URL rewritten by mapRequest(setUrl) is refused with ForeignOriginError", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const lucca = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      const rewritten = lucca.httpClient.pipe(
        HttpClient.mapRequest(HttpClientRequest.setUrl("https://evil.example/collect"))
      )
      const error = yield* Effect.flip(rewritten.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.instanceOf(error, LuccaError.ForeignOriginError)
      assert.deepStrictEqual(sentElsewhere(fake), [])
    }))

  it.effect("TokenProvider.authenticate on a client of your own: the same, composed either way", () =>
    Effect.gen(function*() {
      const fake = redirectingFake()
      const provider = TokenProvider.makeStatic("my-token")
      const client = fake.client.pipe(
        TokenProvider.authenticate(provider, { origin: accountUrl }),
        HttpClient.followRedirects()
      )
      const error = yield* Effect.flip(client.get(`${accountUrl}/lucca-api/employees`))
      assert.strictEqual(error._tag, "ForeignOriginError")
      assert.deepStrictEqual(sentElsewhere(fake), [])
      assert.strictEqual(fake.state.apiRequests[0].headers["authorization"], "Bearer my-token")
      // a relative URL is not on the origin: it is refused, not guessed
      const relative = yield* Effect.flip(client.get("/lucca-api/employees"))
      assert.strictEqual(relative._tag, "ForeignOriginError")
    }))
})

describe("finding 3: a token is an RFC 6750 b64token, and no cause's message is copied", () => {
  for (const accessToken of ["abc\r\nX-Evil: 1", "   ", "abc def", "tok\u00e9n", "=abc"]) {
    it.effect(`refuses access_token ${JSON.stringify(accessToken)}`, () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = () => Effect.succeed(json(200, { access_token: accessToken, token_type: "Bearer" }))
        const error = yield* Effect.flip(ClientCredentials.requestToken(credentials).pipe(Effect.provide(fake.layer)))
        assert.instanceOf(error, LuccaError.InvalidTokenResponse)
        if (error._tag !== "InvalidTokenResponse") return
        assert.strictEqual(error.field, "access_token")
        if (accessToken.trim() !== "") assert.notInclude(error.message, accessToken)
      }))
  }

  it.effect("accepts the b64token alphabet, padding included", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const accessToken = "aZ09-._~+/xyz=="
      fake.state.onToken = () => Effect.succeed(json(200, { access_token: accessToken, token_type: "Bearer" }))
      const token = yield* ClientCredentials.requestToken(credentials).pipe(Effect.provide(fake.layer))
      assert.strictEqual(Redacted.value(token.value), accessToken)
    }))

  it.effect("a transport failure whose cause quotes the token does not carry it to the caller", () =>
    Effect.gen(function*() {
      const token = "a-token-quoted-by-the-platform"
      const failing = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause: new TypeError(`Headers.append: "Bearer ${token}" is an invalid header value.`)
            })
          })
        )
      )
      const lucca = yield* LuccaClient.make({
        tokenProvider: TokenProvider.makeStatic(token),
        accountUrl,
        requestRetry: false,
        rateLimit: false
      }).pipe(Effect.provideService(HttpClient.HttpClient, failing))
      const exit = yield* Effect.exit(lucca.execute(HttpClientRequest.get("/lucca-api/employees")))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const harness = makeHarness()
        yield* harness.run(Effect.failCause(exit.cause))
        assert.deepStrictEqual(harness.leaks({ token }), [])
      }
    }))

  it.effect("a token request's transport failure keeps a system error code, never the cause's message", () =>
    Effect.gen(function*() {
      const failing = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause: Object.assign(new Error(`cannot send client_secret=${clientSecret}`), { code: "ECONNRESET" })
            })
          })
        )
      )
      const error = yield* Effect.flip(
        ClientCredentials.requestToken(credentials).pipe(Effect.provideService(HttpClient.HttpClient, failing))
      )
      assert.include(error.message, "ECONNRESET")
      assert.notInclude(error.message, "cannot send")
    }))
})

describe("finding 4: a caller that needs a token now never waits longer than the retry budget", () => {
  it.effect("a 401 during a failing refresh ahead: the caller's wait is bounded by the 30 s budget", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      const provider = yield* TokenProvider.make(credentials).pipe(Effect.provide(fake.layer))
      const first = yield* provider.get
      // from now on the token host is down: the refresh ahead retries until the hard margin
      fake.state.onToken = () => Effect.succeed(new Response("down", { status: 503 }))
      yield* TestClock.adjust("26 minutes")
      assert.strictEqual(Redacted.value((yield* provider.get).value), tokenFor(1))
      // a 401 on the current token: the next caller holds no valid token
      yield* provider.invalidate(first)
      const caller = yield* Effect.forkChild(Effect.result(provider.get))
      yield* TestClock.adjust("31 seconds")
      assert.isDefined(caller.pollUnsafe(), "the caller still waits after the retry budget")
    }))
})

describe("finding 5: every encoding of the secret and every token held is scrubbed", () => {
  // a base64 secret: `+`, `/` and `=` are written differently in a form, a URL and JSON
  const secret = "s3cr+t/Q\"uo\\te=="
  const tokenOf = (n: number) => `tok+en/${n}==`

  it.effect("in OAuth errors that echo the form body, in the refresh ahead log, in the account's errors", () =>
    Effect.gen(function*() {
      const harness = makeHarness()
      const fake = makeFake()
      const app = { ...credentials, clientSecret: Redacted.make(secret), accountUrl, rateLimit: false } as const
      const built = yield* TokenProvider.make(app).pipe(
        Effect.flatMap((provider) =>
          Effect.map(LuccaClient.make({ ...app, tokenProvider: provider }), (lucca) => [provider, lucca] as const)
        ),
        Effect.provide(fake.layer),
        harness.run
      )
      assert.isTrue(Exit.isSuccess(built))
      if (Exit.isFailure(built)) return
      const [provider, lucca] = built.value
      fake.state.onToken = (n) => Effect.succeed(json(200, { access_token: tokenOf(n), token_type: "Bearer" }))

      // the account API echoes the token it was sent, in every error shape
      const echo = (request: { readonly headers: Record<string, string> }) =>
        (request.headers["authorization"] ?? "").replace(/^Bearer /, "")
      fake.state.onApi = (request) =>
        Effect.succeed(
          json(401, { title: "Unauthorized", detail: `token ${encodeURIComponent(echo(request))} is revoked` })
        )
      yield* harness.run(lucca.execute(HttpClientRequest.get("/lucca-api/employees")))
      fake.state.onApi = (request) =>
        Effect.succeed(
          json(403, { title: "Forbidden", detail: `token ${JSON.stringify(echo(request))} lacks a scope` })
        )
      yield* harness.run(lucca.execute(HttpClientRequest.get("/lucca-api/leaves")))
      fake.state.onApi = (request) =>
        Effect.succeed(json(400, { title: "Bad Request", errors: { [echo(request)]: [`bad ${echo(request)}`] } }))
      yield* harness.run(lucca.get("/lucca-api/employees/1", Schema.Unknown))

      // the token host echoes the form body (form-encoded secret), the secret in `error`,
      // percent-encoded in `error_uri`: first for a refresh ahead (a warning log), then for a caller
      fake.state.onToken = (_, request) =>
        Effect.succeed(json(401, {
          error: `invalid_client ${secret}`,
          error_description: `could not authenticate ${request.body}`,
          error_uri: `https://errors.example/?q=${encodeURIComponent(secret)}`
        }))
      yield* TestClock.adjust("26 minutes")
      yield* harness.run(provider.get)
      yield* TestClock.adjust("4 minutes")
      yield* harness.run(Effect.flip(provider.get))

      assert.isTrue(harness.texts.some((t) => t.includes("refresh ahead")), "the refresh ahead warning was captured")
      assert.isTrue(harness.texts.some((t) => t.includes("could not authenticate")), "the echo was captured")
      const tokens = Object.fromEntries(
        Array.from({ length: fake.state.tokenRequests.length }, (_, i) => [`token ${i + 1}`, tokenOf(i + 1)])
      )
      assert.deepStrictEqual(harness.leaks({ secret, ...tokens }), [])
    }))

  it.effect("the harness sees each encoding of a secret", () =>
    Effect.gen(function*() {
      for (const variant of encodings(secret)) {
        const harness = makeHarness()
        yield* harness.run(
          Effect.fail(new LuccaError.ApiError({ method: "GET", url: "u", status: 500, detail: `x${variant}x` }))
        )
        assert.deepStrictEqual(harness.leaks({ secret }), ["secret"], variant)
      }
      // raw, percent-encoded (here the same as form-encoded), lower-case hex, JSON-escaped
      assert.isAtLeast(encodings(secret).length, 4)
    }))
})

describe("finding 6: every body the client reads has a deadline and a size limit", () => {
  /** Headers, a first chunk, then nothing: the body never ends. */
  const stalling = (status: number) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode("{\"title\":"))
      }),
      { status, headers: { "content-type": "application/problem+json" } }
    )

  it.effect("a 503 whose body stalls after the headers does not hold the caller", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(stalling(503))
      const lucca = yield* LuccaClient.make({ ...options, requestRetry: false }).pipe(Effect.provide(fake.layer))
      const caller = yield* Effect.forkChild(Effect.flip(lucca.get("/lucca-api/employees", Schema.Unknown)))
      yield* TestClock.adjust("11 seconds")
      yield* eventually(() => caller.pollUnsafe() !== undefined)
      const outcome = caller.pollUnsafe()
      assert.isDefined(outcome, "the caller still waits for the body")
      if (outcome !== undefined && Exit.isSuccess(outcome)) {
        const error = outcome.value
        assert.strictEqual(error._tag, "ApiError")
        if (error._tag === "ApiError") assert.strictEqual(error.status, 503)
      }
    }))

  it.effect("a 401 whose body stalls is still recovered with a fresh token", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(fake.state.apiRequests.length === 1 ? stalling(401) : json(200, {}))
      const lucca = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      const caller = yield* Effect.forkChild(lucca.execute(HttpClientRequest.get("/lucca-api/employees")))
      yield* TestClock.adjust("11 seconds")
      // no more time passes: the fibers the retry forks (the token request) run on the next turns
      yield* eventually(() => caller.pollUnsafe() !== undefined)
      const outcome = caller.pollUnsafe()
      assert.isDefined(outcome, "the caller still waits for the 401's body")
      if (outcome !== undefined && Exit.isSuccess(outcome)) assert.strictEqual(outcome.value.status, 200)
      assert.strictEqual(fake.state.tokenRequests.length, 2)
    }))

  it.effect("a token answer larger than 64 KiB is refused, whatever it holds", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onToken = () =>
        Effect.succeed(
          json(200, { access_token: "abc", token_type: "Bearer", expires_in: 1800, padding: "x".repeat(100_000) })
        )
      const error = yield* Effect.flip(ClientCredentials.requestToken(credentials).pipe(Effect.provide(fake.layer)))
      assert.instanceOf(error, LuccaError.TokenRequestError)
      if (error._tag === "TokenRequestError") assert.include(error.description, "larger than")
    }))

  it.effect("the limit on 2xx bodies is an option", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () => Effect.succeed(json(200, { name: "a name longer than sixteen bytes" }))
      const lucca = yield* LuccaClient.make({ ...options, responseBody: { maxBytes: 16 } }).pipe(
        Effect.provide(fake.layer)
      )
      const error = yield* Effect.flip(lucca.get("/lucca-api/employees/1", Schema.Unknown))
      assert.strictEqual(error._tag, "ResponseDecodeError")
    }))

  it.effect("a 2xx body larger than the limit is a ResponseDecodeError, read no further", () =>
    Effect.gen(function*() {
      const response = HttpClientResponse.fromWeb(
        HttpClientRequest.get(`${accountUrl}/lucca-api/employees`),
        new Response("x".repeat(40 * 1024 * 1024), { status: 200 })
      )
      const error = yield* Effect.flip(LuccaClient.decodeResponse(response, Schema.Unknown))
      assert.instanceOf(error, LuccaError.ResponseDecodeError)
      if (error._tag === "ResponseDecodeError") assert.include(error.description, "larger than")
    }))
})

describe("finding 7: the low findings", () => {
  it.effect("a links.next.href that repeats a page fails with a typed error instead of looping", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = () =>
        Effect.succeed(json(200, {
          items: [{ id: "1" }],
          links: { next: { href: `${accountUrl}/lucca-api/employees?cursor=same` } }
        }))
      const lucca = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      const error = yield* Effect.flip(
        Stream.runCollect(Stream.take(lucca.paginate("/lucca-api/employees", Schema.Unknown), 1_000))
      )
      assert.strictEqual(error._tag, "ResponseDecodeError")
      if (error._tag === "ResponseDecodeError") assert.strictEqual(error.path, "links.next.href")
      assert.isAtMost(fake.state.apiRequests.length, 3)
    }))

  it.effect("a relative links.next.href resolves against the current page, not the origin root", () =>
    Effect.gen(function*() {
      const fake = makeFake()
      fake.state.onApi = (request) =>
        Effect.succeed(json(200, {
          items: [{ id: request.url.searchParams.get("page") ?? "0" }],
          links: request.url.searchParams.has("page") ? {} : { next: { href: "employees?page=2" } }
        }))
      const lucca = yield* LuccaClient.make(options).pipe(Effect.provide(fake.layer))
      yield* Stream.runCollect(lucca.paginate("/lucca-api/employees", Schema.Unknown))
      assert.strictEqual(fake.state.apiRequests[1].url.href, `${accountUrl}/lucca-api/employees?page=2`)
    }))

  for (const expiresIn of [0, 0.5, 1e308, 86_401]) {
    it.effect(`expires_in ${expiresIn} is refused (accepted: 1 s to 24 h)`, () =>
      Effect.gen(function*() {
        const fake = makeFake()
        fake.state.onToken = () =>
          Effect.succeed(json(200, { access_token: "abc", token_type: "Bearer", expires_in: expiresIn }))
        const error = yield* Effect.flip(ClientCredentials.requestToken(credentials).pipe(Effect.provide(fake.layer)))
        assert.instanceOf(error, LuccaError.InvalidTokenResponse)
        if (error._tag === "InvalidTokenResponse") assert.strictEqual(error.field, "expires_in")
      }))
  }

  const env = (vars: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars }))
  const validEnv = {
    LUCCA_CLIENT_ID: "id",
    LUCCA_CLIENT_SECRET: "secret",
    LUCCA_SCOPES: "employees.readonly",
    LUCCA_ACCOUNT_URL: accountUrl
  }
  const configError = (vars: Record<string, string>) =>
    Effect.flip(
      LuccaClient.LuccaClient.pipe(
        Effect.provide(
          LuccaClient.layerConfig().pipe(Layer.provide(makeFake().layer), Layer.provide(env({ ...validEnv, ...vars })))
        )
      )
    )
  const cases: Array<[string, Record<string, string>, string]> = [
    ["a secret with a trailing line break", { LUCCA_CLIENT_SECRET: "sec\n" }, "LUCCA_CLIENT_SECRET"],
    ["a blank secret", { LUCCA_CLIENT_SECRET: "   " }, "LUCCA_CLIENT_SECRET"],
    [
      "the token host with a trailing dot as account",
      { LUCCA_ACCOUNT_URL: "https://accounts.world.luccasoftware.com." },
      "LUCCA_ACCOUNT_URL"
    ],
    ["an Api-Version that is not a calendar date", { LUCCA_API_VERSION: "2024-02-31" }, "LUCCA_API_VERSION"],
    ["a token URL on another https host", { LUCCA_TOKEN_URL: "https://tokens.example.com/token" }, "LUCCA_TOKEN_URL"]
  ]
  for (const [name, vars, setting] of cases) {
    it.effect(`${name} is a ConfigError naming ${setting}`, () =>
      Effect.gen(function*() {
        const error = yield* configError(vars)
        assert.instanceOf(error, Config.ConfigError, String(error))
        assert.include(String(error), setting)
        assert.notInclude(String(error), "sec\n")
      }))
  }

  it.effect("another https token host is accepted with the loud opt-in", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        LuccaClient.LuccaClient.pipe(
          Effect.provide(
            LuccaClient.layerConfig().pipe(
              Layer.provide(makeFake().layer),
              Layer.provide(env({
                ...validEnv,
                LUCCA_TOKEN_URL: "https://tokens.example.com/token",
                LUCCA_DANGEROUSLY_ALLOW_TOKEN_URL: "true"
              }))
            )
          )
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      const fromOptions = yield* Effect.exit(
        LuccaClient.make({ ...options, tokenUrl: "https://tokens.example.com/token" }).pipe(
          Effect.provide(makeFake().layer),
          Effect.scoped
        )
      )
      assert.isTrue(Exit.isFailure(fromOptions))
      assert.include(
        String(Exit.isFailure(fromOptions) ? Cause.squash(fromOptions.cause) : ""),
        "dangerouslyAllowTokenUrl"
      )
    }))

  for (
    const [name, tokenUrl] of [
      ["plain http to a non-loopback host", "http://accounts.world.luccasoftware.com/connect/token"],
      ["another https host without the opt-in", "https://tokens.example.com/connect/token"]
    ]
  ) {
    it.effect(`requestToken itself refuses ${name}, and sends nothing`, () =>
      Effect.gen(function*() {
        const sent: Array<string> = []
        const recording = HttpClient.make((request) => {
          sent.push(request.url)
          return Effect.succeed(
            HttpClientResponse.fromWeb(request, json(200, { access_token: "abc", token_type: "Bearer" }))
          )
        })
        const error = yield* Effect.flip(
          ClientCredentials.requestToken({ ...credentials, tokenUrl }).pipe(
            Effect.provideService(HttpClient.HttpClient, recording)
          )
        )
        assert.instanceOf(error, LuccaError.TokenRequestError)
        if (error._tag === "TokenRequestError") assert.isFalse(error.transient)
        assert.deepStrictEqual(sent, [])
      }))
  }
})
