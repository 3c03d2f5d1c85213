/**
 * The runtime of the generated `LuccaApi` module: one accessor of a collection, built on
 * the `LuccaClient` in context. `LuccaApi.ts` is generated from Lucca's description and
 * holds declarations only; what they do is here.
 */
import * as Effect from "effect/Effect"
import type * as UrlParams from "effect/http/UrlParams"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Collection, Creates, Item } from "../LuccaApi.js"
import { LuccaClient } from "../LuccaClient.js"

/** Query parameters of the filters: lists comma-separated, `undefined` left out. */
const urlParamsOf = (filters: object | undefined): UrlParams.Input => {
  const params: Array<[string, string]> = []
  for (const [name, value] of Object.entries(filters ?? {})) {
    if (value === undefined) continue
    params.push([name, Array.isArray(value) ? value.join(",") : String(value)])
  }
  return params
}

/** @internal */
export const item = <A>(collection: string, schema: Schema.Decoder<A>): Item<A> => {
  const path = `/lucca-api/${collection}`
  return {
    path,
    get: (id) => Effect.flatMap(LuccaClient, (client) => client.get(`${path}/${encodeURIComponent(id)}`, schema))
  }
}

/** @internal */
export const collection = <A, Filters extends object>(
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
 * `POST /lucca-api/{name}`: the body is the `fields` of the input that are set (a field
 * the caller's object has beyond them is not sent), with `defaults` for those left out.
 *
 * @internal
 */
export const creates = <Input extends object, A>(
  name: string,
  schema: Schema.Decoder<A>,
  fields: ReadonlyArray<keyof Input & string>,
  defaults: Partial<Record<keyof Input & string, unknown>> = {}
): Creates<Input, A> => ({
  create: (input) =>
    Effect.flatMap(LuccaClient, (client) => {
      const body: Record<string, unknown> = {}
      for (const field of fields) {
        // `null` is a value (such as "all business establishments"); `undefined` is left out
        const given = (input as Record<string, unknown>)[field]
        const value = given === undefined ? defaults[field] : given
        if (value !== undefined) body[field] = value
      }
      return client.post(`/lucca-api/${name}`, schema, { body })
    })
})
