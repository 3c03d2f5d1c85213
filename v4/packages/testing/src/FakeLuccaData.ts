/**
 * The deterministic data set the emulator serves, shaped as Lucca's API version
 * `2024-11-01` describes it: legal entities, business establishments, departments,
 * professions, occupation categories, job qualifications, employment templates, about
 * a hundred employees with their employments, job positions, probationary periods,
 * personal records and portraits, and the events and webhook deliveries of the latest
 * changes.
 *
 * Each resource is kept as it goes on the wire (`type` constants, `{id, type, url}`
 * references, `links`), with URLs relative to the account host: the emulator prefixes
 * the host it is reached at. Same seed, account and reference day: same data, to the
 * byte. Employment statuses (`active`, `upcoming`, `deactivated`) are computed for the
 * reference day.
 *
 * @see https://developers.lucca.fr/api-reference/latest
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/data.js"

/**
 * A resource as Lucca serves it, with its URLs relative to the account host.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resource {
  readonly id: string
  /** The singular `type` constant, such as `"employee"`. */
  readonly type: string
  readonly url: string
  readonly [field: string]: unknown
}

/**
 * The collections of API version `2024-11-01`, named by their path segment under
 * `/lucca-api/`.
 *
 * @since 0.1.0
 * @category models
 */
export type Collection =
  | "legal-entities"
  | "business-establishments"
  | "departments"
  | "professions"
  | "occupation-categories"
  | "job-qualifications"
  | "employees"
  | "portraits"
  | "employee-personal-records"
  | "employments"
  | "employment-templates"
  | "job-positions"
  | "probationary-periods"
  | "events"
  | "webhook-endpoints"
  | "webhook-deliveries"
  | "webhook-delivery-attempts"

/**
 * @since 0.1.0
 * @category models
 */
export interface DataSet {
  readonly seed: string
  readonly account: string
  /** `YYYY-MM-DD`: the day employment statuses are computed for. */
  readonly today: string
  readonly resources: { readonly [C in Collection]: ReadonlyArray<Resource> }
  /** The client id of the application that created each webhook endpoint through the API. */
  readonly webhookEndpointOwners: ReadonlyMap<string, string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `42`. */
  readonly seed?: number | string | undefined
  /** Default `"example"`. Names the organisation and the e-mail domain. */
  readonly account?: string | undefined
  /** Any instant of the reference day; default: now, read from `Clock`. */
  readonly referenceDate?: Date | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultSeed: number = internal.defaultSeed

/**
 * Builds the data set. Same seed, account and reference day: same data, to the byte.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<DataSet> = internal.make
