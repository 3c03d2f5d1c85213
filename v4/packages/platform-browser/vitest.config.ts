import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "platform-browser",
    include: ["test/**/*.test.ts"]
  }
})
