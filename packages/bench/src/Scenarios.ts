/**
 * Every scenario, in the order of the table.
 *
 * @since 0.0.0
 */
import * as ColdStampede from "./ColdStampede.js"
import * as Fleet from "./Fleet.js"
import * as Memory from "./Memory.js"
import * as Overhead from "./Overhead.js"
import * as RateLimitEfficiency from "./RateLimitEfficiency.js"
import * as RefreshBoundary from "./RefreshBoundary.js"
import type * as Scenario from "./Scenario.js"
import * as Tenants from "./Tenants.js"

/**
 * @since 0.0.0
 * @category scenarios
 */
export const all: ReadonlyArray<Scenario.Scenario<any>> = [
  ColdStampede.scenario,
  RefreshBoundary.scenario,
  Overhead.scenario,
  RateLimitEfficiency.scenario,
  Memory.scenario,
  Tenants.scenario,
  Fleet.scenario
]

/**
 * @since 0.0.0
 * @category scenarios
 */
export const byId = (id: string): Scenario.Scenario<any> => {
  const scenario = all.find((s) => s.id === id)
  if (scenario === undefined) throw new Error(`unknown scenario ${id}`)
  return scenario
}
