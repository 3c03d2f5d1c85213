import type * as FakeLuccaData from "../FakeLuccaData.js"
import * as Operations from "./operations.js"

/** A resource as it goes on the wire. @internal */
export type Json = Record<string, unknown>

/** The collection (path segment) that holds each resource `type`. @internal */
export const collectionOf: ReadonlyMap<string, FakeLuccaData.Collection> = new Map(
  Operations.operations.map((o) => [o.itemType, o.collection as FakeLuccaData.Collection])
)

const isReference = (u: unknown): u is { readonly id: string; readonly type: string } =>
  typeof u === "object" && u !== null && !Array.isArray(u) && typeof (u as any).id === "string" &&
  typeof (u as any).type === "string"

/**
 * The values at a dotted path of a resource (`legalEntity.id`,
 * `applicableEmployment.legalEntity.id`), following references to the resources they
 * name when the path goes past a reference's `{id, type, url}`, and flattening arrays.
 *
 * @internal
 */
export const valuesAt = (
  resource: FakeLuccaData.Resource,
  path: ReadonlyArray<string>,
  lookup: (type: string, id: string) => FakeLuccaData.Resource | undefined
): ReadonlyArray<unknown> => {
  let current: ReadonlyArray<unknown> = [resource]
  for (const key of path) {
    const next: Array<unknown> = []
    for (const value of current) {
      if (value === null || typeof value !== "object") continue
      let holder = value as Json
      if (!(key in holder) && isReference(holder)) {
        const target = lookup(holder.type, holder.id)
        if (target === undefined) continue
        holder = target
      }
      const field = holder[key]
      if (Array.isArray(field)) next.push(...field)
      else if (field !== undefined) next.push(field)
    }
    current = next
  }
  return current
}

/**
 * What one application may see of an account: the organisation, and the employees of
 * its business establishments with everything attached to them (employments, job
 * positions, probationary periods, personal records, portraits), and the events (with
 * their deliveries) of those establishments.
 *
 * @internal
 */
export interface View {
  readonly list: (collection: FakeLuccaData.Collection) => ReadonlyArray<FakeLuccaData.Resource>
  readonly get: (collection: FakeLuccaData.Collection, id: string) => FakeLuccaData.Resource | undefined
  /** A visible resource by its `type` and id, for joins and `embedded`. */
  readonly lookup: (type: string, id: string) => FakeLuccaData.Resource | undefined
  /** The resource with its URLs made absolute on the origin the client reached. */
  readonly render: (resource: unknown) => unknown
}

/** @internal */
export const view = (
  data: FakeLuccaData.DataSet,
  establishmentIds: ReadonlySet<string>,
  origin: string
): View => {
  const index = new Map<string, Map<string, FakeLuccaData.Resource>>()
  for (const [collection, items] of Object.entries(data.resources)) {
    index.set(collection, new Map(items.map((r) => [r.id, r])))
  }
  const raw = (type: string, id: string) => {
    const collection = collectionOf.get(type)
    return collection === undefined ? undefined : index.get(collection)?.get(id)
  }
  const idAt = (resource: FakeLuccaData.Resource | undefined, path: string) =>
    resource === undefined ? [] : valuesAt(resource, path.split("."), raw)
  const granted = (ids: ReadonlyArray<unknown>) => ids.some((id) => establishmentIds.has(id as string))

  const visibleEmployee = (id: unknown) =>
    typeof id === "string" && granted(idAt(raw("employee", id), "applicableJobPosition.businessEstablishment.id"))
  // an event of no establishment (a ping, a change to the organisation) is the account's
  const visibleEvent = (id: unknown) => {
    if (typeof id !== "string") return false
    const ids = idAt(raw("event", id), "businessEstablishment.id")
    return ids.length === 0 || granted(ids)
  }

  const visible = (resource: FakeLuccaData.Resource): boolean => {
    switch (resource.type) {
      case "business-establishment":
        return establishmentIds.has(resource.id)
      case "employee":
        return visibleEmployee(resource.id)
      case "employment":
      case "job-position":
      case "employee-personal-record":
      case "portrait":
        return idAt(resource, "employee.id").some(visibleEmployee)
      case "probationary-period":
        return idAt(resource, "employment.employee.id").some(visibleEmployee)
      case "event":
        return visibleEvent(resource.id)
      case "webhook-delivery":
        return idAt(resource, "event.id").some(visibleEvent)
      case "webhook-delivery-attempt":
        return idAt(resource, "webhookDelivery.event.id").some(visibleEvent)
      default:
        return true
    }
  }

  const render = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => render(v))
    if (value !== null && typeof value === "object") {
      const out: Json = {}
      for (const [k, v] of Object.entries(value)) out[k] = render(v, k)
      return out
    }
    if (typeof value === "string") {
      if ((key === "url" || key === "href") && value.startsWith("/")) return origin + value
      if (key === "source" && value === "") return origin
    }
    return value
  }

  return {
    list: (collection) => data.resources[collection].filter(visible),
    get: (collection, id) => {
      const resource = index.get(collection)?.get(id)
      return resource !== undefined && visible(resource) ? resource : undefined
    },
    lookup: (type, id) => {
      const resource = raw(type, id)
      return resource !== undefined && visible(resource) ? resource : undefined
    },
    render
  }
}
