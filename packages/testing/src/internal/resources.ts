import type * as FakeLuccaData from "../FakeLuccaData.js"
import type { Resource } from "./scopes.js"

/** A resource as it goes on the wire. @internal */
export type Json = Record<string, unknown>

/** @internal */
export interface Reference {
  readonly id: string
  readonly type: Resource
  readonly url: string
}

/** @internal */
export const reference = (origin: string, type: Resource, id: string): Reference => ({
  id,
  type,
  url: `${origin}/lucca-api/${type}/${id}`
})

const isReference = (u: unknown): u is Reference =>
  typeof u === "object" && u !== null && "id" in u && "type" in u && "url" in u && Object.keys(u).length === 3

/** The references an item points to (top-level fields and arrays of references). @internal */
export const referencesOf = (item: Json): ReadonlyArray<Reference> =>
  Object.entries(item).flatMap(([key, value]) =>
    key === "url" ? [] : isReference(value) ? [value] : Array.isArray(value) ? value.filter(isReference) : []
  )

/**
 * What one application may see of an account: everything of the organisation that is
 * not tied to an establishment, and employees (with their leaves and leave requests)
 * of its business establishments only.
 *
 * @internal
 */
export interface View {
  readonly list: (type: Resource) => ReadonlyArray<Json>
  readonly get: (type: Resource, id: string) => Json | undefined
  readonly visibleEmployee: (id: string) => boolean
}

/** @internal */
export const view = (
  data: FakeLuccaData.DataSet,
  establishmentIds: ReadonlySet<string>,
  origin: string
): View => {
  const ref = (type: Resource, id: string | null) => id === null ? null : reference(origin, type, id)
  const envelope = (type: Resource, item: { readonly id: string }) => ({
    id: item.id,
    type,
    url: `${origin}/lucca-api/${type}/${item.id}`
  })
  const employeesById = new Map(data.employees.map((e) => [e.id, e]))
  const visibleEmployee = (id: string) => {
    const employee = employeesById.get(id)
    return employee !== undefined && establishmentIds.has(employee.businessEstablishmentId)
  }

  const render = {
    "legal-entities": (e: FakeLuccaData.LegalEntity): Json => ({
      ...envelope("legal-entities", e),
      name: e.name,
      countryCode: e.countryCode,
      registrationNumber: e.registrationNumber,
      createdAt: e.createdAt,
      lastUpdatedAt: e.lastUpdatedAt
    }),
    "business-establishments": (e: FakeLuccaData.BusinessEstablishment): Json => ({
      ...envelope("business-establishments", e),
      name: e.name,
      legalEntity: ref("legal-entities", e.legalEntityId),
      city: e.city,
      countryCode: e.countryCode,
      timeZoneId: e.timeZoneId,
      createdAt: e.createdAt,
      lastUpdatedAt: e.lastUpdatedAt
    }),
    departments: (d: FakeLuccaData.Department): Json => ({
      ...envelope("departments", d),
      name: d.name,
      code: d.code,
      parent: ref("departments", d.parentId),
      manager: ref("employees", d.managerId),
      createdAt: d.createdAt,
      lastUpdatedAt: d.lastUpdatedAt
    }),
    employees: (e: FakeLuccaData.Employee): Json => ({
      ...envelope("employees", e),
      firstName: e.firstName,
      lastName: e.lastName,
      email: e.email,
      employeeNumber: e.employeeNumber,
      jobTitle: e.jobTitle,
      hiredOn: e.hiredOn,
      businessEstablishment: ref("business-establishments", e.businessEstablishmentId),
      department: ref("departments", e.departmentId),
      manager: ref("employees", e.managerId),
      createdAt: e.createdAt,
      lastUpdatedAt: e.lastUpdatedAt
    }),
    leaves: (l: FakeLuccaData.Leave): Json => ({
      ...envelope("leaves", l),
      employee: ref("employees", l.employeeId),
      leaveRequest: ref("leave-requests", l.leaveRequestId),
      leaveType: l.leaveType,
      startsOn: l.startsOn,
      endsOn: l.endsOn,
      durationInDays: l.durationInDays,
      status: l.status,
      comment: l.comment,
      createdAt: l.createdAt,
      lastUpdatedAt: l.lastUpdatedAt
    }),
    "leave-requests": (r: FakeLuccaData.LeaveRequest): Json => ({
      ...envelope("leave-requests", r),
      employee: ref("employees", r.employeeId),
      leaveType: r.leaveType,
      startsOn: r.startsOn,
      endsOn: r.endsOn,
      durationInDays: r.durationInDays,
      status: r.status,
      comment: r.comment,
      leaves: r.leaveIds.map((id) => reference(origin, "leaves", id)),
      createdAt: r.createdAt,
      lastUpdatedAt: r.lastUpdatedAt
    })
  }

  const records = (type: Resource): ReadonlyArray<{ readonly id: string }> => {
    switch (type) {
      case "legal-entities":
        return data.legalEntities
      case "business-establishments":
        return data.businessEstablishments.filter((e) => establishmentIds.has(e.id))
      case "departments":
        return data.departments
      case "employees":
        return data.employees.filter((e) => establishmentIds.has(e.businessEstablishmentId))
      case "leaves":
        return data.leaves.filter((l) => visibleEmployee(l.employeeId))
      case "leave-requests":
        return data.leaveRequests.filter((r) => visibleEmployee(r.employeeId))
    }
  }

  const renderOne = (type: Resource, record: { readonly id: string }): Json =>
    (render[type] as (r: any) => Json)(record)

  return {
    list: (type) => records(type).map((record) => renderOne(type, record)),
    get: (type, id) => {
      const record = records(type).find((r) => r.id === id)
      return record === undefined ? undefined : renderOne(type, record)
    },
    visibleEmployee
  }
}
