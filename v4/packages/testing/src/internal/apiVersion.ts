import * as Result from "effect/Result"
import * as Dates from "./dates.js"

/** The versions the emulator knows, oldest first. @internal */
export const known: ReadonlyArray<string> = ["2024-11-01"]

/** The version the emulator describes. @internal */
export const defaultVersion = "2024-11-01"

/**
 * `Api-Version` is a date; the server picks the closest version published on or before
 * it. A missing header, a malformed date, or one before the first version is refused.
 *
 * @internal
 */
export const resolve = (header: string | undefined): Result.Result<string, string> => {
  // the description marks the header required
  if (header === undefined || header.trim() === "") {
    return Result.fail(`The Api-Version header is required; send Api-Version: ${defaultVersion}.`)
  }
  const value = header.trim()
  const day = Dates.isoDateToDay(value)
  if (day === undefined) {
    return Result.fail(`The Api-Version header must be a date formatted YYYY-MM-DD, got '${value}'.`)
  }
  let chosen: string | undefined
  for (const version of known) {
    if (Dates.isoDateToDay(version)! <= day) chosen = version
  }
  return chosen === undefined
    ? Result.fail(`Api-Version ${value} is older than the first version of the API (${known[0]}).`)
    : Result.succeed(chosen)
}
