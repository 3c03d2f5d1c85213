import * as Effect from "effect/Effect"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import type * as FakeLucca from "../FakeLucca.js"
import { ConnectionDropped } from "../FakeLuccaError.js"
import * as Problem from "./problem.js"
import * as State from "./state.js"

/** What a reverse proxy sends when the upstream is gone: HTML, not JSON. @internal */
export const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

/**
 * Serves the next pending fault of `target`, if any: `Some(response)` replaces the
 * normal answer, `None` lets it through (after a `Delay`), and `Disconnect` fails with
 * `ConnectionDropped` for the transport to act on.
 *
 * @internal
 */
export const apply = (
  state: State.State,
  target: FakeLucca.FaultTarget,
  instance: string
): Effect.Effect<Option.Option<HttpServerResponse.HttpServerResponse>, ConnectionDropped> =>
  Effect.flatMap(State.takeFault(state, target), (fault) => {
    if (Option.isNone(fault)) return Effect.succeedNone
    switch (fault.value._tag) {
      case "Delay":
        return Effect.as(Effect.sleep(fault.value.duration), Option.none())
      case "ServiceUnavailable":
        return Effect.succeed(Option.some(Problem.make({
          status: 503,
          instance,
          detail: "The service is temporarily unavailable."
        })))
      case "RequestTimeout":
        return Effect.succeed(Option.some(Problem.make({
          status: 408,
          instance,
          detail: "The server gave up waiting for the request to complete."
        })))
      case "BadGateway":
        return Effect.succeed(Option.some(HttpServerResponse.text(badGatewayPage, {
          status: 502,
          contentType: "text/html"
        })))
      case "Disconnect":
        return Effect.fail(new ConnectionDropped({ target }))
    }
  })
