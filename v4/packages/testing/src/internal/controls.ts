import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import type * as FakeLuccaWebhooks from "../FakeLuccaWebhooks.js"
import * as Problem from "./problem.js"
import * as Resources from "./resources.js"
import type * as State from "./state.js"
import * as Webhooks from "./webhooks.js"

/** The emulator's own controls over HTTP, under this prefix: not part of Lucca's API. @internal */
export const prefix = "/fake-lucca/"

const JsonObject = Schema.Record(Schema.String, Schema.Unknown)

const RaiseBody = Schema.Struct({
  topic: Schema.NonEmptyString,
  id: Schema.optional(Schema.String),
  data: Schema.optional(JsonObject),
  previousAttributes: Schema.optional(JsonObject)
})

const decodeRaiseBody = Schema.decodeUnknownResult(RaiseBody)
const decodeJsonObject = Schema.decodeUnknownResult(JsonObject)

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
    const body = yield* Effect.result(
      Effect.flatMap(request.text, (text) => Effect.try(() => JSON.parse(text) as unknown))
    )
    const resource = /^\/fake-lucca\/resources\/([^/]+)\/([^/]+)$/.exec(path)
    const known = path === "/fake-lucca/events" || resource !== null
    if (!known) return Problem.make({ status: 404, instance: path, detail: "No such control." })
    const method = path === "/fake-lucca/events" ? "POST" : "PATCH"
    if (request.method !== method) {
      return Problem.make({ status: 405, instance: path, detail: `Use ${method}.`, headers: { allow: method } })
    }
    if (mediaType !== "application/json" || Result.isFailure(body)) {
      return Problem.make({ status: 415, instance: path, detail: "The body must be a JSON object (application/json)." })
    }
    let raised: Result.Result<FakeLuccaWebhooks.Raised, string>
    if (resource === null) {
      const input = decodeRaiseBody(body.success)
      raised = Result.isFailure(input)
        ? Result.fail(input.failure.message)
        : yield* Effect.result(
          Effect.mapError(Webhooks.raiseOnDemand(state, account, input.success), (e) => e.description)
        )
    } else if (!collections.has(decodeURIComponent(resource[1]))) {
      raised = Result.fail(`No collection is named '${resource[1]}'.`)
    } else {
      const patch = decodeJsonObject(body.success)
      raised = Result.isFailure(patch)
        ? Result.fail("The body must be a JSON object of the fields to change.")
        : yield* Effect.result(Effect.mapError(
          Webhooks.update(
            state,
            account,
            decodeURIComponent(resource[1]) as FakeLuccaData.Collection,
            decodeURIComponent(resource[2]),
            patch.success
          ),
          (e) => e.description
        ))
    }
    if (Result.isFailure(raised)) return badRequest(path, raised.failure)
    return HttpServerResponse.jsonUnsafe(raised.success, { status: 201 })
  })
