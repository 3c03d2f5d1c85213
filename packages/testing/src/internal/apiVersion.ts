import * as Either from "effect/Either"
import * as Dates from "./dates.js"

/** The versions the emulator knows, oldest first. @internal */
export const known: ReadonlyArray<string> = ["2024-11-01"]

/** What a request without `Api-Version` gets. @internal */
export const defaultVersion = "2024-11-01"

/**
 * `Api-Version` is a date; the server picks the closest version published on or before
 * it. A malformed date, or one before the first version, is refused.
 *
 * @internal
 */
export const resolve = (header: string | undefined): Either.Either<string, string> => {
  if (header === undefined) return Either.right(defaultVersion)
  const value = header.trim()
  const day = Dates.isoDateToDay(value)
  if (day === undefined) {
    return Either.left(`The Api-Version header must be a date formatted YYYY-MM-DD, got '${value}'.`)
  }
  let chosen: string | undefined
  for (const version of known) {
    if (Dates.isoDateToDay(version)! <= day) chosen = version
  }
  return chosen === undefined
    ? Either.left(`Api-Version ${value} is older than the first version of the API (${known[0]}).`)
    : Either.right(chosen)
}
