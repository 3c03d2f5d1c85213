import { assert, describe, it } from "@effect/vitest"
import * as Stats from "../src/Stats.js"

// ratios spread like the overhead bench's pairs: 0.80 to 1.20, median 1.00
const spread = (count: number) => Array.from({ length: count }, (_, i) => 0.8 + (0.4 * i) / (count - 1))

describe("Stats.medianInterval", () => {
  it("holds the median, and narrows as pairs are added", () => {
    const [low20, high20] = Stats.medianInterval(spread(21))
    const [low200, high200] = Stats.medianInterval(spread(201))
    assert.isTrue(low20 < 1 && high20 > 1, `20 pairs: ${low20}–${high20}`)
    assert.isTrue(low200 <= 1 && high200 >= 1, `200 pairs: ${low200}–${high200}`)
    assert.isTrue(high200 - low200 < (high20 - low20) / 2, `${high200 - low200} vs ${high20 - low20}`)
  })

  it("gives the same interval for the same samples", () => {
    assert.deepStrictEqual(Stats.medianInterval(spread(41)), Stats.medianInterval(spread(41)))
  })

  it("is a single value when every sample is the same, and NaN with fewer than 2", () => {
    assert.deepStrictEqual(Stats.medianInterval([0.97, 0.97, 0.97]), [0.97, 0.97])
    assert.isTrue(Stats.medianInterval([1]).every(Number.isNaN))
  })
})
