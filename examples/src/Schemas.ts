/**
 * The parts of Lucca's resources the examples read. Schemas decode only the fields they
 * name, so that new fields in the API do not break a program.
 */
import * as Schema from "effect/Schema"

/** `{ id, type, url }`: how one resource points at another. */
export const Reference = Schema.Struct({ id: Schema.String, type: Schema.String, url: Schema.String })

export const Employee = Schema.Struct({
  id: Schema.String,
  firstName: Schema.String,
  lastName: Schema.String,
  jobTitle: Schema.optional(Schema.String),
  department: Schema.NullOr(Reference)
})

export const Department = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  parent: Schema.NullOr(Reference)
})

export const BusinessEstablishment = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  city: Schema.optional(Schema.String)
})

export const Leave = Schema.Struct({
  id: Schema.String,
  employee: Reference,
  leaveType: Schema.String,
  startsOn: Schema.String,
  endsOn: Schema.String,
  status: Schema.String
})

export const LeaveRequest = Schema.Struct({
  id: Schema.String,
  employee: Reference,
  startsOn: Schema.String,
  endsOn: Schema.String,
  status: Schema.String
})
