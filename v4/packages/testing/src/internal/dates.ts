/** @internal */
export const msPerDay = 86_400_000

/**
 * Days since 1970-01-01 (UTC). The data set reasons in whole UTC days so that it
 * does not depend on the time zone of the machine running it.
 *
 * @internal
 */
export const toDay = (millis: number): number => Math.floor(millis / msPerDay)

/** @internal */
export const dayToIsoDate = (day: number): string => new Date(day * msPerDay).toISOString().slice(0, 10)

/** @internal */
export const dayToIsoDateTime = (day: number, minuteOfDay: number): string =>
  new Date(day * msPerDay + minuteOfDay * 60_000).toISOString()

/** @internal */
export const isoDateToDay = (date: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (match === null) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const millis = Date.UTC(year, month - 1, day)
  const parsed = new Date(millis)
  // `Date.UTC` rolls 2024-02-30 over to March: reject dates that do not round-trip
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    return undefined
  }
  return toDay(millis)
}
