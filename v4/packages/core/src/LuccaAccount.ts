/**
 * The account a client calls: the step {@link resolve}, by which requests name paths
 * (`/lucca-api/employees`) resolved on the account origin, with Lucca's `Api-Version`.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as InternalOptions from "./internal/options.js"
import * as internal from "./internal/resolve.js"
import type * as LuccaError from "./LuccaError.js"

// the account URL follows `LuccaClient`'s rule for `accountUrl`, and is named so
const AccountUrlOption = Schema.Struct({ accountUrl: InternalOptions.AccountUrl })

/**
 * Resolves each request's URL on the account and adds `Api-Version: apiVersion` and
 * `Accept: application/json`, unless the request sets its own. A path or any URL on the
 * account origin is accepted; a URL that lands on another origin (an absolute URL, or
 * `//host/x`) fails with `ForeignOriginError` and is not sent. Apply it last, so that a
 * request names a path from the start; the authentication step checks the final URL
 * again, whatever changes it in between.
 *
 * `accountUrl` follows `LuccaClient`'s rule for it: an origin, `https` (plain `http` on a
 * loopback host only). Any other is refused: every request fails with the same
 * `ConfigError` naming `accountUrl`, and nothing is sent.
 *
 * @example
 * ```ts
 * import { LuccaAccount } from "@effect-lucca/core"
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 *
 * const employees = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     LuccaAccount.resolve("https://example.ilucca.net", "2024-11-01")
 *   )
 *   return yield* client.get("/lucca-api/employees") // https://example.ilucca.net/lucca-api/employees
 * })
 * ```
 *
 * @see https://developers.lucca.fr/ (API versioning)
 * @since 0.1.0
 * @category combinators
 */
export const resolve: {
  (
    accountUrl: string | URL,
    apiVersion: string
  ): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<E | LuccaError.ForeignOriginError | Config.ConfigError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    accountUrl: string | URL,
    apiVersion: string
  ): HttpClient.HttpClient.With<E | LuccaError.ForeignOriginError | Config.ConfigError, R>
} = dual(3, <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  accountUrl: string | URL,
  apiVersion: string
): HttpClient.HttpClient.With<E | LuccaError.ForeignOriginError | Config.ConfigError, R> =>
  Result.match(Schema.decodeUnknownResult(AccountUrlOption)({ accountUrl }), {
    // a combinator cannot fail where it is applied: its requests carry the refusal
    // (`HttpClient.With` is invariant in its error: each branch is widened to the union)
    onFailure: (error) => {
      const refused = InternalOptions.toConfigError(error)
      return HttpClient.transform(self, () => Effect.fail(refused)) as HttpClient.HttpClient.With<any, R>
    },
    onSuccess: (decoded) =>
      internal.onAccount(self, decoded.accountUrl, apiVersion) as HttpClient.HttpClient.With<any, R>
  }))
