// `node --import` this file to load the packages of this workspace as built
// (`tsc -b tsconfig.build.json` into `packages/<name>/dist`), the code npm users run,
// instead of the TypeScript source their `exports` point at: measured through tsx, every
// function created at run time would pay esbuild's `__name` wrapper, which the bare client
// (Effect's own built code) does not.
import { register } from "node:module"

register("./builtPackages.mjs", import.meta.url)
