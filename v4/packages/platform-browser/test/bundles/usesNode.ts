/** A module that needs Node, to prove that `NoNodeBuiltins.test.ts` can fail. */
import * as Path from "node:path"

export const encoded = Buffer.from(Path.join("a", "b")).toString("base64")
