/**
 * What `pnpm test` left out, said once more at its end.
 *
 * A suite whose service is missing outside CI (redis-server, Chromium, Lucca's OpenAPI
 * description in ../shared/reference) skips with one line starting with `SKIPPED `: a test
 * file with `console.warn` (the reporter below reads it from the test's output), a project's
 * `vitest.config.ts` with {@link skipped} (it runs in this process). The lines scroll by
 * among hundreds of others: the reporter repeats them below the totals, so that a newcomer
 * sees what did not run. In CI (CI=true) the suites fail instead of skipping.
 */
import type { Reporter } from "vitest/reporters"

const marker = "SKIPPED "
// the project configs are bundled one by one: a module-level array would not be shared
const registry = Symbol.for("effect-lucca/vitest-skipped")
const lines = (): Array<string> => ((globalThis as Record<symbol, Array<string>>)[registry] ??= [])

/** Says, and records for the summary, that something is left out: `what: why (fix)`. */
export const skipped = (line: string): void => {
  lines().push(`${marker}${line}`)
  console.warn(`${marker}${line}`)
}

/** Prints every `SKIPPED ` line of the run after the totals. */
export class SkipSummary implements Reporter {
  private readonly seen = new Set<string>()

  onInit(): void {
    for (const line of lines()) this.seen.add(line)
  }

  onUserConsoleLog(log: { readonly content: string }): void {
    for (const line of log.content.split("\n")) {
      if (line.startsWith(marker)) this.seen.add(line.trim())
    }
  }

  // after the default reporter's totals (reporters are called in order)
  onFinished(): void {
    for (const line of lines()) this.seen.add(line)
    if (this.seen.size === 0) return
    const list = [...this.seen].sort().map((line) => `  ${line.slice(marker.length)}`)
    process.stdout.write(
      `\n${this.seen.size} left out for a missing service (in CI, CI=true, these fail instead):\n${list.join("\n")}\n\n`
    )
  }
}
