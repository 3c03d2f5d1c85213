/**
 * The test projects of the monorepo. The root `vitest.config.ts` passes this list to
 * `test.projects` (loading a workspace file on its own is deprecated in Vitest 3.2).
 */
export default [
  "packages/*/vitest.config.ts",
  "common/vitest.config.ts",
  "examples/vitest.config.ts"
]
