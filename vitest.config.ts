import { defineConfig } from "vitest/config"
import { SkipSummary } from "./vitest.skips.js"
import projects from "./vitest.workspace.js"

export default defineConfig({
  test: {
    projects,
    // the usual report, then one summary of what was left out for a missing service
    reporters: ["default", new SkipSummary()]
  }
})
