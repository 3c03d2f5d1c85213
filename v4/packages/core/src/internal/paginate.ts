import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as LuccaError from "../LuccaError.js"
import * as Http from "./http.js"

/** @internal */
export const pageSchema = <S extends Schema.Top>(item: S) =>
  Schema.Struct({
    items: Schema.Array(item),
    links: Schema.optional(Schema.NullOr(Schema.Struct({
      next: Schema.optional(Schema.NullOr(Schema.Struct({ href: Schema.String })))
    })))
  })

/** @internal */
export interface PageOptions {
  readonly limit?: number | undefined
  readonly urlParams?: UrlParams.Input | undefined
}

/** @internal */
export const firstPage = (path: string, options?: PageOptions): HttpClientRequest.HttpClientRequest => {
  const params = UrlParams.fromInput(options?.urlParams ?? [])
  // `links` must be included for the cursors; keep whatever else the caller asked for
  const include = UrlParams.getFirst(params, "include").pipe(
    Option.map((value) => value.split(",").includes("links") ? value : `${value},links`),
    Option.getOrElse(() => "links")
  )
  return HttpClientRequest.get(path, {
    urlParams: UrlParams.setAll(params, {
      include,
      ...(options?.limit === undefined ? {} : { limit: String(options.limit) })
    })
  })
}

/**
 * The request for the next page, if any. A relative `href` is resolved against the URL of
 * the page that holds it (RFC 3986 §5), when that URL is given.
 *
 * @internal
 */
export const nextPage = (
  page: { readonly links?: { readonly next?: { readonly href: string } | null | undefined } | null | undefined },
  currentUrl?: string | URL
): Option.Option<HttpClientRequest.HttpClientRequest> => {
  const href = page.links?.next?.href
  if (href === undefined || href === "") return Option.none()
  const resolved = currentUrl !== undefined && URL.canParse(href, currentUrl) ? new URL(href, currentUrl).href : href
  return Option.some(HttpClientRequest.get(resolved))
}

/** The full URL a request goes to, query included: what identifies a page. */
const pageKey = (request: HttpClientRequest.HttpClientRequest): string =>
  Option.match(HttpClientRequest.toUrl(request), { onNone: () => request.url, onSome: (url) => url.href })

/** @internal */
export type Fetch<E, R2> = <P extends Schema.Top>(
  request: HttpClientRequest.HttpClientRequest,
  schema: P
) => Effect.Effect<
  { readonly value: P["Type"]; readonly response: HttpClientResponse.HttpClientResponse },
  E,
  P["DecodingServices"] | R2
>

/** @internal */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly response: HttpClientResponse.HttpClientResponse
}

/**
 * Every page of a cursor-paginated list, fetched as the stream is pulled. A `next` link to
 * a page already read ends the stream with a `ResponseDecodeError` on `links.next.href`
 * rather than looping forever.
 *
 * @internal
 */
export const pages = <S extends Schema.Top, E, R2 = never>(
  first: HttpClientRequest.HttpClientRequest,
  item: S,
  fetch: Fetch<E, R2>
): Stream.Stream<Page<S["Type"]>, E | LuccaError.ResponseDecodeError, S["DecodingServices"] | R2> => {
  const page = pageSchema(item)
  return Stream.suspend(() => {
    const seen = new Set<string>()
    return Stream.paginate(
      first,
      (request: HttpClientRequest.HttpClientRequest) =>
        Effect.flatMap(fetch(request, page), ({ response, value }) => {
          seen.add(pageKey(response.request))
          const next = nextPage(value, response.request.url)
          if (Option.isSome(next) && seen.has(pageKey(next.value))) {
            return Effect.fail(
              new LuccaError.ResponseDecodeError({
                method: response.request.method,
                url: Http.displayUrl(response.request.url),
                status: response.status,
                path: "links.next.href",
                description: "points to a page already read; the pagination would never end"
              })
            )
          }
          const current: Page<S["Type"]> = { items: value.items as ReadonlyArray<S["Type"]>, response }
          return Effect.succeed([[current], next] as const)
        })
    )
  })
}

/**
 * Every item of a cursor-paginated list (see {@link pages}).
 *
 * @internal
 */
export const paginate = <S extends Schema.Top, E, R2>(
  first: HttpClientRequest.HttpClientRequest,
  item: S,
  fetch: Fetch<E, R2>
): Stream.Stream<S["Type"], E | LuccaError.ResponseDecodeError, S["DecodingServices"] | R2> =>
  Stream.flattenIterable(Stream.map(pages(first, item, fetch), (page) => page.items))
