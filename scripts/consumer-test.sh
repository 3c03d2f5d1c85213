#!/usr/bin/env bash
# The consumer test: what a user gets from npm, checked outside the workspace.
#
# Builds and packs every published package, checks each tarball with publint and
# @arethetypeswrong/cli, installs the tarballs with their peers at the lowest versions the
# manifests allow into a fresh app in a temporary folder, starts the installed `fake-lucca`
# command, then runs an ES module and a CommonJS program with plain `node` against it and
# type-checks a TypeScript program with strict settings, under NodeNext and bundler
# resolution, without skipLibCheck. Every install line of every README is run as written in
# a folder of its own, the tarballs standing in for our packages, then a program with plain
# `node` against the emulator (scripts/consumer/install-lines.mjs). Last, the installed
# `lucca emulator` and `lucca doctor`: doctor passes against the emulator, and fails with the
# explanation on a wrong secret.
#
#   bash scripts/consumer-test.sh   (SKIP_BUILD=1 reuses the build; IMPORT_COST_RUNS=N sets the
#                                     runs of the import cost measurement at the end, default 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
started=$SECONDS

work="$(mktemp -d "${TMPDIR:-/tmp}/effect-lucca-consumer.XXXXXX")"
fake_pid=""
cleanup() {
  if [[ -n "$fake_pid" ]] && kill -0 "$fake_pid" 2>/dev/null; then
    kill -TERM "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

packages=(core platform-node platform-browser testing redis cli)

if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  step "build"
  pnpm --silent build >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi

step "pack"
mkdir -p "$work/tarballs"
for package in "${packages[@]}"; do
  (cd "packages/$package" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
tarballs=("$work"/tarballs/*.tgz)
ls -1 "$work/tarballs"

step "publint --strict and attw --profile node16"
for tarball in "${tarballs[@]}"; do
  out="$(pnpm exec publint --strict "$tarball" 2>&1)" || { echo "$out"; exit 1; }
  # publint exits 0 on suggestions: this project wants none either
  if grep -qE '^(Suggestions|Warnings|Errors):' <<<"$out"; then
    echo "$out"
    exit 1
  fi
  pnpm exec attw --profile node16 --format table-flipped --quiet "$tarball" ||
    { pnpm exec attw --profile node16 "$tarball"; exit 1; }
  echo "ok $(basename "$tarball")"
done

step "install the tarballs into a fresh app"
app="$work/app"
mkdir -p "$app"
cp scripts/consumer/app.mjs scripts/consumer/app.cjs scripts/consumer/app.ts "$app/"
for tarball in "${tarballs[@]}"; do tar -xzf "$tarball" -C "$work/tarballs" package/package.json &&
  mv "$work/tarballs/package/package.json" "$tarball.json"; done
# the command line is an application with its own dependencies: it is installed on its own
# below, as `npx @effect-lucca/cli` would; the app takes the libraries
cli_tarball="$(ls "$work"/tarballs/effect-lucca-cli-*.tgz)"
library_tarballs=()
for tarball in "${tarballs[@]}"; do [[ "$tarball" == "$cli_tarball" ]] || library_tarballs+=("$tarball"); done
tarballs=("${library_tarballs[@]}")
mapfile -t peers < <(node scripts/consumer/lowest.mjs "${tarballs[@]/%/.json}")
typescript="typescript@$(node -p 'require("typescript/package.json").version')"
types_node="@types/node@$(node -p 'require("@types/node/package.json").version')"
echo "peers: ${peers[*]}"
cd "$app"
echo '{ "name": "consumer", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" "${peers[@]}" "$typescript" "$types_node"
# the lowest versions must really be the ones installed, not deduplicated upwards
for peer in "${peers[@]}"; do
  name="${peer%@*}"
  installed="$(node -p "require('$name/package.json').version")"
  [[ "$name@$installed" == "$peer" ]] || { echo "installed $name@$installed, wanted $peer"; exit 1; }
done

step "start the installed fake-lucca"
./node_modules/.bin/fake-lucca --port 0 >"$work/fake-lucca.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 100); do
  grep -q '^client secret:' "$work/fake-lucca.log" 2>/dev/null && break
  kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake-lucca.log"; exit 1; }
  sleep 0.1
done
field() { sed -n "s/^$1:[[:space:]]*\([^[:space:]]*\).*/\1/p" "$work/fake-lucca.log" | head -n 1; }
LUCCA_TOKEN_URL="$(field "token URL")"
LUCCA_ACCOUNT_URL="$(field "account URL")"
LUCCA_CLIENT_ID="$(field "client id")"
LUCCA_CLIENT_SECRET="$(field "client secret")"
export LUCCA_TOKEN_URL LUCCA_ACCOUNT_URL LUCCA_CLIENT_ID LUCCA_CLIENT_SECRET
export LUCCA_SCOPES="employees.readonly"
for name in LUCCA_TOKEN_URL LUCCA_ACCOUNT_URL LUCCA_CLIENT_ID LUCCA_CLIENT_SECRET; do
  [[ -n "${!name}" ]] || { echo "no $name in the output of fake-lucca:"; cat "$work/fake-lucca.log"; exit 1; }
done
echo "account $LUCCA_ACCOUNT_URL"

step "node app.mjs (ES module)"
timeout 60 node app.mjs

step "node app.cjs (CommonJS)"
timeout 60 node app.cjs

step "every README's install line as written, then plain node against the emulator"
# our names become the tarballs, every other argument is kept (ranges and all): the lines
# must install from the registry as they stand, and what they install must run
node "$root/scripts/consumer/install-lines.mjs" "$work/tarballs" "$work/lines"

step "tsc --noEmit, strict, NodeNext and bundler"
./node_modules/.bin/tsc --init >/dev/null
node - "${tarballs[@]/%/.json}" <<'EOF'
// modules.ts: one import of every public module of every package
const Fs = require("node:fs")
const lines = []
let n = 0
for (const file of process.argv.slice(2)) {
  const manifest = JSON.parse(Fs.readFileSync(file, "utf8"))
  for (const key of Object.keys(manifest.exports)) {
    if (key === "./package.json") continue
    lines.push(`import * as M${n++} from "${manifest.name}${key.slice(1)}"`)
  }
}
lines.push(`export const modules = [${Array.from({ length: n }, (_, i) => `M${i}`).join(", ")}]`, "")
Fs.writeFileSync("modules.ts", lines.join("\n"))
EOF
strict='"strict": true, "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true, "skipLibCheck": false, "noEmit": true'
cat >tsconfig.nodenext.json <<EOF
{ "extends": "./tsconfig.json", "files": ["app.ts", "modules.ts"],
  "compilerOptions": { $strict, "module": "NodeNext", "moduleResolution": "NodeNext" } }
EOF
cat >tsconfig.bundler.json <<EOF
{ "extends": "./tsconfig.json", "files": ["app.ts", "modules.ts"],
  "compilerOptions": { $strict, "module": "ESNext", "moduleResolution": "bundler" } }
EOF
for config in tsconfig.nodenext.json tsconfig.bundler.json; do
  ./node_modules/.bin/tsc --noEmit -p "$config"
  echo "ok $config"
done

step "npx lucca doctor against lucca emulator, from @effect-lucca/cli installed alone"
cli_app="$work/cli"
mkdir -p "$cli_app"
(
  cd "$cli_app"
  echo '{ "name": "cli-user", "private": true }' >package.json
  # our other packages are not on the registry: their tarballs stand in for it
  npm install --no-audit --no-fund --loglevel=error "$cli_tarball" \
    "$work"/tarballs/effect-lucca-{core,platform-node,testing}-*.tgz
  ./node_modules/.bin/lucca emulator --port 0 >"$work/emulator.log" 2>&1 &
  emulator_pid=$!
  trap 'kill -TERM "$emulator_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    grep -q '^lucca doctor$' "$work/emulator.log" 2>/dev/null && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
    sleep 0.1
  done
  # only the settings the emulator printed, none of the ones exported above
  unset LUCCA_TOKEN_URL LUCCA_ACCOUNT_URL LUCCA_CLIENT_ID LUCCA_CLIENT_SECRET LUCCA_SCOPES
  eval "$(grep '^export LUCCA_' "$work/emulator.log")"
  timeout 60 npx --no-install lucca doctor
  echo "ok lucca doctor (exit 0)"
  status=0
  LUCCA_CLIENT_SECRET=not-the-secret timeout 60 npx --no-install lucca doctor >"$work/doctor.log" 2>&1 || status=$?
  cat "$work/doctor.log"
  [[ "$status" == 1 ]] || { echo "lucca doctor with a wrong secret exited $status, wanted 1"; exit 1; }
  grep -q 'invalid_client' "$work/doctor.log" || { echo "no explanation of the wrong secret"; exit 1; }
  if grep -q 'not-the-secret' "$work/doctor.log"; then echo "the secret was printed"; exit 1; fi
  echo "ok lucca doctor with a wrong secret (exit 1, explained)"
)

step "fake-lucca after npm install @effect-lucca/testing alone"
bare="$work/bare"
mkdir -p "$bare"
(
  cd "$bare"
  echo '{ "name": "bare", "private": true }' >package.json
  # npm installs the peers itself: nothing else is asked of the user
  npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/effect-lucca-testing-*.tgz
  ./node_modules/.bin/fake-lucca --help | head -n 1
)

step "import cost (informational)"
node "$root/scripts/import-cost.mjs" "${IMPORT_COST_RUNS:-5}"

cd "$root"
step "done"
