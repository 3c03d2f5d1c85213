import * as LuccaClient from "@effect-lucca/core/LuccaClient"
import * as LuccaError from "@effect-lucca/core/LuccaError"
import * as Effect from "effect/Effect"
import * as UrlParams from "effect/http/UrlParams"
import * as Redacted from "effect/Redacted"
import type * as RpcClient from "effect/rpc/RpcClient"
import type { RpcClientError } from "effect/rpc/RpcClientError"
import type * as RpcGroup from "effect/rpc/RpcGroup"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Stream from "effect/Stream"
import * as LuccaWorker from "../LuccaWorker.js"
import type * as LuccaWorkerClient from "../LuccaWorkerClient.js"

/** @internal */
export type Rpc = RpcClient.RpcClient<RpcGroup.Rpcs<typeof LuccaWorker.Rpcs>, RpcClientError>

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The first issue of a schema failure as the core words one: a path (`items[3].id`) and a message. */
const describeIssue = (issue: SchemaIssue.Issue): { readonly path: string; readonly message: string } => {
  const first = formatter(issue).issues[0]
  if (first === undefined) return { path: "", message: "does not match the expected shape" }
  const path = (first.path ?? []).reduce<string>((out, segment) => {
    const key = typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
    return typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`
  }, "")
  return { path, message: first.message === "Missing key" ? "is missing" : first.message }
}

/** A page-side decoding failure, reported as the core reports one in the worker. */
const decode = <S extends Schema.Top>(
  schema: S,
  value: unknown,
  context: { readonly method: string; readonly url: string; readonly status: number }
): Effect.Effect<S["Type"], LuccaError.ResponseDecodeError, S["DecodingServices"]> =>
  Effect.mapError(
    Schema.decodeUnknownEffect(schema)(value),
    (error) => {
      const { message, path } = describeIssue(error.issue)
      return new LuccaError.ResponseDecodeError({ ...context, path, description: message })
    }
  )

/**
 * The body as the page sends it: encoded with its schema when there is one, then as JSON
 * (what the worker's request will carry anyway: `undefined` members dropped, dates as
 * strings). A body JSON cannot hold (a BigInt, a cycle) is a typed failure, not sent.
 */
const encodeBody = <B extends Schema.Top>(
  method: string,
  path: string,
  options: LuccaClient.WriteOptions<B> | undefined
): Effect.Effect<unknown, LuccaWorker.TransportError, B["EncodingServices"]> => {
  const encodeError = (description: string) =>
    new LuccaWorker.TransportError({ method, url: path, reason: "Encode", description })
  const encoded: Effect.Effect<unknown, LuccaWorker.TransportError, B["EncodingServices"]> =
    options?.body === undefined || options.bodySchema === undefined
      ? Effect.succeed(options?.body)
      : Effect.mapError(Schema.encodeUnknownEffect(options.bodySchema)(options.body), (error) => {
        const issue = describeIssue(error.issue)
        // as the core's `LuccaClient` words it
        return encodeError(
          `the body does not match its schema at ${issue.path === "" ? "the root" : issue.path}: ${issue.message}`
        )
      })
  return Effect.flatMap(encoded, (body) =>
    body === undefined ? Effect.succeed(undefined) : Effect.try({
      try: () => JSON.parse(JSON.stringify(body)) as unknown,
      catch: () => encodeError("the body cannot be sent as JSON: it is not JSON-serializable")
    }))
}

const wireParams = (input: UrlParams.Input | undefined): ReadonlyArray<readonly [string, string]> =>
  // a `Redacted` value is the page's own: it is sent, as the page's client would send it
  UrlParams.fromInput(input ?? []).params.map(([key, value]) =>
    [key, Redacted.isRedacted(value) ? Redacted.value(value) : value] as const
  )

/**
 * The page-side client over the worker's RPC client: requests out, answers decoded with
 * the page's schemas.
 *
 * @internal
 */
export const make = (rpc: Rpc): LuccaWorkerClient.Service => {
  const get = <S extends Schema.Top>(path: string, schema: S, options?: LuccaClient.RequestOptions) =>
    rpc.Get({ path, urlParams: wireParams(options?.urlParams) }).pipe(
      Effect.flatMap((response) =>
        decode(schema, response.body, { method: "GET", url: response.url, status: response.status })
      )
    )
  const write =
    (method: "POST" | "PUT" | "PATCH" | "DELETE") =>
    <S extends Schema.Top, B extends Schema.Top = Schema.Unknown>(
      path: string,
      schema: S,
      options?: LuccaClient.WriteOptions<B>
    ) =>
      encodeBody(method, path, options).pipe(
        Effect.flatMap((body) =>
          rpc.Write({
            method,
            path,
            urlParams: wireParams(options?.urlParams),
            ...(body === undefined ? {} : { body })
          })
        ),
        Effect.flatMap((response) =>
          decode(schema, response.body, { method, url: response.url, status: response.status })
        )
      )
  const paginate = <S extends Schema.Top>(path: string, item: S, options?: LuccaClient.PaginateOptions) => {
    // the page's items decoded as the core decodes a page: a failure names `items[3].id`
    const page = LuccaClient.Page(item)
    return rpc.Paginate({
      path,
      urlParams: wireParams(options?.urlParams),
      ...(options?.limit === undefined ? {} : { limit: options.limit })
    }).pipe(
      Stream.mapEffect((answer) =>
        Effect.map(
          decode(page, { items: answer.items }, { method: "GET", url: answer.url, status: answer.status }),
          ({ items }) => items as ReadonlyArray<S["Type"]>
        )
      ),
      Stream.flattenIterable
    )
  }
  const del = <S extends Schema.Top>(path: string, schema: S, options?: LuccaClient.RequestOptions) =>
    write("DELETE")(path, schema, options)
  return { get, post: write("POST"), put: write("PUT"), patch: write("PATCH"), del, paginate }
}
