import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "bench",
    include: ["test/**/*.test.ts"],
    // the quick benchmark starts the emulator and a measuring process
    testTimeout: 180_000
  }
})
