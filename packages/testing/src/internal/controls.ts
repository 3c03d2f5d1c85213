import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import * as Problem from "./problem.js"
import * as Resources from "./resources.js"
import type * as State from "./state.js"
import * as Webhooks from "./webhooks.js"

/** The emulator's own controls over HTTP, under this prefix: not part of Lucca's API. @internal */
export const prefix = "/fake-lucca/"

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const RaiseBody = Schema.Struct({
  topic: Schema.String.pipe(Schema.minLength(1)),
  id: Schema.optional(Schema.String),
  data: Schema.optional(JsonObject),
  previousAttributes: Schema.optional(JsonObject)
})

const collections = new Set<string>(Resources.collectionOf.values())

const badRequest = (instance: string, detail: string) => Problem.make({ status: 400, instance, detail })

/**
 * `POST /fake-lucca/events` and `PATCH /fake-lucca/resources/{collection}/{id}`, with
 * JSON bodies (a cross-origin page cannot send one without a CORS preflight).
 *
 * @internal
 */
export const handle = (
  state: State.State,
  account: State.AccountState,
  url: URL
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = url.pathname
    const mediaType = request.headers["content-type"]?.split(";")[0].trim().toLowerCase()
    const body = yield* Effect.either(
      Effect.flatMap(request.text, (text) => Effect.try(() => JSON.parse(text) as unknown))
    )
    const resource = /^\/fake-lucca\/resources\/([^/]+)\/([^/]+)$/.exec(path)
    const known = path === "/fake-lucca/events" || resource !== null
    if (!known) return Problem.make({ status: 404, instance: path, detail: "No such control." })
    const method = path === "/fake-lucca/events" ? "POST" : "PATCH"
    if (request.method !== method) {
      return Problem.make({ status: 405, instance: path, detail: `Use ${method}.`, headers: { allow: method } })
    }
    if (mediaType !== "application/json" || Either.isLeft(body)) {
      return Problem.make({ status: 415, instance: path, detail: "The body must be a JSON object (application/json)." })
    }
    const raised = resource === null
      ? yield* Either.match(Schema.decodeUnknownEither(RaiseBody)(body.right), {
        onLeft: (error) => Effect.succeed(Either.left(String(error.message))),
        onRight: (input) =>
          Effect.either(Effect.mapError(Webhooks.raiseOnDemand(state, account, input), (e) => e.description))
      })
      : !collections.has(decodeURIComponent(resource[1]))
      ? Either.left(`No collection is named '${resource[1]}'.`)
      : yield* Either.match(Schema.decodeUnknownEither(JsonObject)(body.right), {
        onLeft: () => Effect.succeed(Either.left("The body must be a JSON object of the fields to change.")),
        onRight: (patch) =>
          Effect.either(Effect.mapError(
            Webhooks.update(
              state,
              account,
              decodeURIComponent(resource[1]) as FakeLuccaData.Collection,
              decodeURIComponent(resource[2]),
              patch
            ),
            (e) => e.description
          ))
      })
    if (Either.isLeft(raised)) return badRequest(path, raised.left)
    return HttpServerResponse.unsafeJson(raised.right, { status: 201 })
  })
