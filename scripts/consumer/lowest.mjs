// Prints, one a line, `name@version` for every peer dependency of the given package
// manifests (outside the project's own packages) at the lowest version its range allows, so
// that the consumer test installs what the manifests promise to work with, not the newest.
// Ranges must be `^x.y.z`, `~x.y.z` or `>=x.y.z`: anything else is refused, to be looked at.
import * as Fs from "node:fs"

const lowest = new Map()
for (const file of process.argv.slice(2)) {
  const manifest = JSON.parse(Fs.readFileSync(file, "utf8"))
  for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (name.startsWith("@effect-lucca/")) continue
    const match = /^(?:\^|~|>=)\s*(\d+\.\d+\.\d+)$/.exec(range)
    if (match === null) {
      console.error(`${manifest.name}: peer range ${name}@${range} has no single lowest version`)
      process.exit(1)
    }
    // several packages may ask for the same peer: the highest of the lower bounds serves all
    const previous = lowest.get(name)
    if (previous === undefined || compare(match[1], previous) > 0) lowest.set(name, match[1])
  }
}
for (const [name, version] of lowest) console.log(`${name}@${version}`)

function compare(a, b) {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number))
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}
