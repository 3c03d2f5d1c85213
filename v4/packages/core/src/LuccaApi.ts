/**
 * A typed client of Lucca's API version `2024-11-01`: one accessor per collection of
 * Lucca's OpenAPI description, whose `list` pages through the collection with its query
 * filters and whose `get` reads one resource, both decoded with the generated
 * `LuccaResources` schemas.
 *
 * It is built on the `LuccaClient` in context, so authentication, pacing, retries and
 * the typed errors apply unchanged. Fields a newer server adds are ignored when decoding.
 *
 * @example
 * import { LuccaApi } from "@effect-lucca/core/LuccaApi"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * // needs a LuccaClient (for example NodeLucca.layer) with employees.readonly
 * const program = Effect.gen(function*() {
 *   const active = yield* LuccaApi.employees.list({ status: ["active"] }).pipe(Stream.runCollect)
 *   // an id of your account (the emulator's employees are 1001 to 1100)
 *   const first = yield* LuccaApi.employees.get("1001")
 *   return { count: active.length, name: `${first.givenName} ${first.familyName}` }
 * })
 *
 * @see https://developers.lucca.fr/api-reference/latest
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as UrlParams from "effect/http/UrlParams"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as OperationScopes from "./internal/operationScopes.js"
import { LuccaClient } from "./LuccaClient.js"
import type * as Client from "./LuccaClient.js"
import * as LuccaResources from "./LuccaResources.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** Items per page: Lucca's default is 25, its maximum 100. */
  readonly limit?: number | undefined
}

/**
 * A collection that can be listed and read by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collection<A, Filters> extends Item<A> {
  /**
   * Every resource of the collection that the filters select (all of them without
   * filters), following the pages' `links.next.href`; pages are fetched as the stream is
   * pulled. A list filter is sent comma-separated, as the description specifies.
   */
  readonly list: (
    filters?: Filters,
    options?: ListOptions
  ) => Stream.Stream<A, Client.DecodedError, LuccaClient>
}

/**
 * A collection that can be read by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Item<A> {
  /** The path of the collection, such as `/lucca-api/employees`. */
  readonly path: string
  /** One resource by its id: `GET {path}/{id}`. An unknown id fails with an `ApiError` (404). */
  readonly get: (id: string) => Effect.Effect<A, Client.DecodedError, LuccaClient>
}

/** Query parameters of the filters: lists comma-separated, `undefined` left out. */
const urlParamsOf = (filters: object | undefined): UrlParams.Input => {
  const params: Array<[string, string]> = []
  for (const [name, value] of Object.entries(filters ?? {})) {
    if (value === undefined) continue
    params.push([name, Array.isArray(value) ? value.join(",") : String(value)])
  }
  return params
}

const item = <A>(collection: string, schema: Schema.Decoder<A>): Item<A> => {
  const path = `/lucca-api/${collection}`
  return {
    path,
    get: (id) => Effect.flatMap(LuccaClient, (client) => client.get(`${path}/${encodeURIComponent(id)}`, schema))
  }
}

const collection = <A, Filters extends object>(
  name: string,
  schema: Schema.Decoder<A>
): Collection<A, Filters> => {
  const base = item(name, schema)
  return {
    ...base,
    list: (filters, options) =>
      Stream.unwrap(Effect.map(LuccaClient, (client) =>
        client.paginate(base.path, schema, {
          limit: options?.limit,
          urlParams: urlParamsOf(filters)
        })))
  }
}

/**
 * Legal entities: `legal-entities.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category organisation
 */
export const legalEntities: Collection<LuccaResources.LegalEntity, LuccaResources.LegalEntitiesFilters> = collection(
  "legal-entities",
  LuccaResources.LegalEntity
)

/**
 * Business establishments: `business-establishments.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category organisation
 */
export const businessEstablishments: Collection<
  LuccaResources.BusinessEstablishment,
  LuccaResources.BusinessEstablishmentsFilters
> = collection("business-establishments", LuccaResources.BusinessEstablishment)

/**
 * Departments: `departments.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category organisation
 */
export const departments: Collection<LuccaResources.Department, LuccaResources.DepartmentsFilters> = collection(
  "departments",
  LuccaResources.Department
)

/**
 * Professions: `job-qualifications.readonly` (or `.readwrite`), as the description says.
 *
 * @since 0.1.0
 * @category occupations
 */
export const professions: Collection<LuccaResources.Profession, LuccaResources.ProfessionsFilters> = collection(
  "professions",
  LuccaResources.Profession
)

/**
 * Occupation categories: `occupation-categories.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category occupations
 */
export const occupationCategories: Collection<
  LuccaResources.OccupationCategory,
  LuccaResources.OccupationCategoriesFilters
> = collection("occupation-categories", LuccaResources.OccupationCategory)

/**
 * Job qualifications: `job-qualifications.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category occupations
 */
export const jobQualifications: Collection<
  LuccaResources.JobQualification,
  LuccaResources.JobQualificationsFilters
> = collection("job-qualifications", LuccaResources.JobQualification)

/**
 * Employees: `employees.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employees
 */
export const employees: Collection<LuccaResources.Employee, LuccaResources.EmployeesFilters> = collection(
  "employees",
  LuccaResources.Employee
)

/**
 * Portraits (their metadata; the picture itself is `application/octet-stream`):
 * `employees.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employees
 */
export const portraits: Item<LuccaResources.Portrait> = item("portraits", LuccaResources.Portrait)

/**
 * Employee personal records, highly sensitive: `employee-personal-records.readonly` (or
 * `.readwrite`).
 *
 * @since 0.1.0
 * @category employees
 */
export const employeePersonalRecords: Collection<
  LuccaResources.EmployeePersonalRecord,
  LuccaResources.EmployeePersonalRecordsFilters
> = collection("employee-personal-records", LuccaResources.EmployeePersonalRecord)

/**
 * Employments: `employments.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employments
 */
export const employments: Collection<LuccaResources.Employment, LuccaResources.EmploymentsFilters> = collection(
  "employments",
  LuccaResources.Employment
)

/**
 * Employment templates: `employment-templates.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employments
 */
export const employmentTemplates: Collection<
  LuccaResources.EmploymentTemplate,
  LuccaResources.EmploymentTemplatesFilters
> = collection("employment-templates", LuccaResources.EmploymentTemplate)

/**
 * Job positions: `job-positions.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employments
 */
export const jobPositions: Collection<LuccaResources.JobPosition, LuccaResources.JobPositionsFilters> = collection(
  "job-positions",
  LuccaResources.JobPosition
)

/**
 * Probationary periods: `probationary-periods.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category employments
 */
export const probationaryPeriods: Collection<
  LuccaResources.ProbationaryPeriod,
  LuccaResources.ProbationaryPeriodsFilters
> = collection("probationary-periods", LuccaResources.ProbationaryPeriod)

/**
 * The events feed: `events.readonly` (there is no `events.readwrite`).
 *
 * @since 0.1.0
 * @category events
 */
export const events: Collection<LuccaResources.Event, LuccaResources.EventsFilters> = collection(
  "events",
  LuccaResources.Event
)

/**
 * What `POST /lucca-api/webhook-endpoints` takes.
 *
 * @since 0.1.0
 * @category webhooks
 */
export interface NewWebhookEndpoint {
  readonly name: string
  /** Your receiver; Lucca requires `https://`. */
  readonly webhookUrl: string
  /** The topics to receive, such as `employee.created`; any topic Lucca knows. */
  readonly topics: ReadonlyArray<string>
  /** The API version of the events' `data`; default `2024-11-01`, the version this client knows. */
  readonly apiVersion?: string | undefined
  /** Only events of these business establishments; default (`null`): all of them. */
  readonly businessEstablishments?: ReadonlyArray<{ readonly id: string }> | null | undefined
}

/**
 * The 201 of `POST /lucca-api/webhook-endpoints`: the endpoint and its `secret`, which
 * Lucca returns only then, `Redacted` at once (`Schema.RedactedFromValue`: Effect 4's
 * `Schema.Redacted` does not decode a plain string).
 *
 * @since 0.1.0
 * @category webhooks
 */
export const CreatedWebhookEndpoint = LuccaResources.WebhookEndpoint.mapFields((fields) => ({
  ...fields,
  secret: Schema.RedactedFromValue(Schema.NonEmptyString)
})).annotate({ identifier: "CreatedWebhookEndpoint" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export interface CreatedWebhookEndpoint extends Schema.Schema.Type<typeof CreatedWebhookEndpoint> {}

/**
 * Webhook endpoints: `webhook-endpoints.readonly` (or `.readwrite`) to list and read;
 * `create` registers one with `webhook-endpoints.readwrite` and returns its secret, to
 * store for `LuccaWebhooks.verify`. Lucca's description (`2024-11-01`) has no operation
 * to change or delete an endpoint, so this client offers none.
 *
 * @example
 * ```ts
 * import { LuccaApi } from "@effect-lucca/core/LuccaApi"
 * import { Effect, Redacted } from "effect"
 *
 * // needs a LuccaClient with webhook-endpoints.readwrite
 * const subscribe = Effect.gen(function*() {
 *   const endpoint = yield* LuccaApi.webhookEndpoints.create({
 *     name: "HR sync",
 *     webhookUrl: "https://hooks.example.com/lucca",
 *     topics: ["employee.created", "employee.updated"]
 *   })
 *   // shown once: keep it in your secret store
 *   return { id: endpoint.id, secret: endpoint.secret satisfies Redacted.Redacted<string> }
 * })
 * ```
 *
 * @since 0.1.0
 * @category webhooks
 */
export const webhookEndpoints: Collection<LuccaResources.WebhookEndpoint, LuccaResources.WebhookEndpointsFilters> & {
  readonly create: (
    endpoint: NewWebhookEndpoint
  ) => Effect.Effect<CreatedWebhookEndpoint, Client.DecodedError, LuccaClient>
} = {
  ...collection("webhook-endpoints", LuccaResources.WebhookEndpoint),
  create: (endpoint) =>
    Effect.flatMap(LuccaClient, (client) =>
      client.post("/lucca-api/webhook-endpoints", CreatedWebhookEndpoint, {
        body: {
          name: endpoint.name,
          webhookUrl: endpoint.webhookUrl,
          apiVersion: endpoint.apiVersion ?? OperationScopes.apiVersion,
          topics: endpoint.topics,
          ...(endpoint.businessEstablishments === undefined
            ? {}
            : { businessEstablishments: endpoint.businessEstablishments })
        }
      }))
}

/**
 * Webhook deliveries: `webhook-deliveries.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category webhooks
 */
export const webhookDeliveries: Collection<
  LuccaResources.WebhookDelivery,
  LuccaResources.WebhookDeliveriesFilters
> = collection("webhook-deliveries", LuccaResources.WebhookDelivery)

/**
 * Webhook delivery attempts: `webhook-deliveries.readonly` (or `.readwrite`).
 *
 * @since 0.1.0
 * @category webhooks
 */
export const webhookDeliveryAttempts: Collection<
  LuccaResources.WebhookDeliveryAttempt,
  LuccaResources.WebhookDeliveryAttemptsFilters
> = collection("webhook-delivery-attempts", LuccaResources.WebhookDeliveryAttempt)

/**
 * Every collection, as one value: `LuccaApi.employees.list(...)`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const LuccaApi = {
  legalEntities,
  businessEstablishments,
  departments,
  professions,
  occupationCategories,
  jobQualifications,
  employees,
  portraits,
  employeePersonalRecords,
  employments,
  employmentTemplates,
  jobPositions,
  probationaryPeriods,
  events,
  webhookEndpoints,
  webhookDeliveries,
  webhookDeliveryAttempts
} as const
