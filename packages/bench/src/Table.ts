/**
 * The printed table (GitHub-flavoured Markdown, aligned so that it also reads in a
 * terminal) and the number formats used in it.
 *
 * @since 0.0.0
 */
import type * as Scenario from "./Scenario.js"

/**
 * `12,345`
 *
 * @since 0.0.0
 * @category formatting
 */
export const count = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a"

/**
 * Milliseconds with two significant decimals below 10 ms.
 *
 * @since 0.0.0
 * @category formatting
 */
export const millis = (n: number): string =>
  !Number.isFinite(n) ? "n/a" : n < 10 ? `${n.toFixed(2)} ms` : n < 100 ? `${n.toFixed(1)} ms` : `${count(n)} ms`

/**
 * `0.93x`
 *
 * @since 0.0.0
 * @category formatting
 */
export const ratio = (n: number): string => Number.isFinite(n) ? `${n.toFixed(2)}x` : "n/a"

/**
 * `1.8 MB` (10^6 bytes), signed when asked.
 *
 * @since 0.0.0
 * @category formatting
 */
export const megabytes = (bytes: number, signed = false): string =>
  !Number.isFinite(bytes) ? "n/a" : `${signed && bytes >= 0 ? "+" : ""}${(bytes / 1e6).toFixed(2)} MB`

const columns: ReadonlyArray<readonly [string, (row: Scenario.Row) => string]> = [
  ["scenario", (row) => row.scenario],
  ["contender", (row) => row.contender],
  ["figures (median of runs)", (row) => row.figures],
  ["ratios (same run)", (row) => row.ratio],
  ["target", (row) => row.target],
  ["verdict", (row) => row.verdict]
]

const escape = (cell: string) => cell.replace(/\|/g, "\\|")

/**
 * Renders rows as one Markdown table.
 *
 * @since 0.0.0
 * @category rendering
 */
export const render = (rows: ReadonlyArray<Scenario.Row>): string => {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, get]) => escape(get(row))))]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)))
  const line = (values: ReadonlyArray<string>) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`
  return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n")
}
