/**
 * Ported from the Effect 3 line's `examples/src/Schemas.ts` (what Effect 4 changes only).
 *
 * The parts of Lucca's resources the examples read, with the field names of Lucca's API
 * version `2024-11-01`. Schemas decode only the fields they name, so that new fields in
 * the API do not break a program.
 */
import * as Schema from "effect/Schema"

/** `{ id, type, url }`: how one resource points at another. */
export const Reference = Schema.Struct({ id: Schema.String, type: Schema.String, url: Schema.String })

export const Employee = Schema.Struct({
  id: Schema.String,
  givenName: Schema.String,
  familyName: Schema.String,
  email: Schema.String,
  status: Schema.optional(Schema.Literals(["active", "upcoming", "deactivated"])),
  applicableJobPosition: Schema.optional(Schema.NullOr(Reference))
})

export const LegalEntity = Schema.Struct({
  id: Schema.String,
  legalName: Schema.String,
  countryCode: Schema.String
})

export const BusinessEstablishment = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  legalEntity: Schema.optional(Reference),
  address: Schema.optional(Schema.Struct({ locality: Schema.optional(Schema.NullOr(Schema.String)) }))
})

export const Department = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  parent: Schema.optional(Schema.NullOr(Reference))
})

export const Employment = Schema.Struct({
  id: Schema.String,
  employee: Reference,
  legalEntity: Reference,
  status: Schema.optional(Schema.String),
  start: Schema.Struct({ date: Schema.String }),
  end: Schema.optional(Schema.NullOr(Schema.Struct({ date: Schema.String })))
})

export const JobPosition = Schema.Struct({
  id: Schema.String,
  employee: Schema.optional(Reference),
  employment: Schema.optional(Reference),
  jobTitle: Schema.optional(Schema.NullOr(Schema.String)),
  department: Reference,
  startsOn: Schema.String,
  endsOn: Schema.optional(Schema.NullOr(Schema.String))
})

export const Event = Schema.Struct({
  id: Schema.String,
  topic: Schema.String,
  occurredAt: Schema.String
})

export const WebhookEndpoint = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  webhookUrl: Schema.String,
  topics: Schema.Array(Schema.String),
  status: Schema.optional(Schema.String)
})
