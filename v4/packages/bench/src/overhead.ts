/**
 * The overhead benchmark of the Effect 4 line: `LuccaClient` (`NodeLucca.layer`, pacing
 * off, retries on as by default) against a bare Effect 4 client (`NodeHttpClient.layerUndici`,
 * the client `NodeLucca` uses, with a static bearer and the same headers), one cheap GET of
 * the v4 emulator over loopback, at concurrency 1 and 32. Run it from the repository root:
 *
 *   node scripts/v4.mjs exec pnpm --filter @effect-lucca/bench overhead [-- options]
 *
 * Both clients run in this process, in blocks of `--block` requests whose order alternates
 * from one pair to the next, so that the drift of a shared machine cancels; each pair gives
 * the ratio of the bare client's block to `LuccaClient`'s, in requests per second and in
 * requests per CPU second (`process.cpuUsage()` of this process: the emulator runs in a
 * process of its own, whose share of a core is printed to tell when it set the pace). The
 * verdict is the median of the pairs against the 0.95x target, with a 95 % bootstrap
 * interval. The packages are measured as built (`dist`), as npm users run them.
 *
 * @since 0.0.0
 */
import { LuccaClient } from "@effect-lucca/core"
import { NodeLucca } from "@effect-lucca/platform-node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { fork } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import { parseArgs } from "node:util"
import * as Stats from "./Stats.js"

const usage = `Usage: node scripts/v4.mjs exec pnpm --filter @effect-lucca/bench overhead [-- options]

Options:
  --quick              a few small pairs: proves the wiring, the figures prove nothing
  --pairs <n>          pairs of blocks per concurrency (default 40)
  --block <n>          requests per block (default 1000)
  --warmup <n>         requests of each client before the pairs (default 2000)
  --concurrency <list> comma-separated (default 1,32)
  -h, --help           show this help
`

const apiVersion = "2024-11-01"
const scope = "legal-entities.readonly"
const path = "/lucca-api/legal-entities/101"
const target = 0.95

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!/^[1-9]\d*$/.test(value)) {
    process.stderr.write(`overhead: --${name} must be a positive integer, got '${value}'\n${usage}`)
    process.exit(2)
  }
  return Number(value)
}

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    quick: { type: "boolean", default: false },
    pairs: { type: "string" },
    block: { type: "string" },
    warmup: { type: "string" },
    concurrency: { type: "string" },
    help: { type: "boolean", short: "h", default: false }
  },
  strict: true
})
if (args.help) {
  process.stdout.write(usage)
  process.exit(0)
}
const settings = {
  pairs: positive("pairs", args.pairs, args.quick ? 4 : 40),
  block: positive("block", args.block, args.quick ? 50 : 1_000),
  warmup: positive("warmup", args.warmup, args.quick ? 50 : 2_000),
  concurrencies: (args.concurrency ?? "1,32").split(",").map((c) => positive("concurrency", c, 1))
}

/** The v4 emulator (`fake-lucca --no-rate-limit`, as built) in a process of its own. */
const startEmulator = () =>
  new Promise<{ readonly pid: number; readonly env: Record<string, string>; readonly stop: () => void }>(
    (resolve, reject) => {
      const child = fork(new URL("../../testing/dist/bin.js", import.meta.url), ["--no-rate-limit"], {
        execArgv: ["--import", new URL("./registerBuilt.mjs", import.meta.url).href],
        stdio: ["ignore", "pipe", "inherit", "ipc"]
      })
      let out = ""
      child.once("exit", (code) => reject(new Error(`the emulator exited with ${code} before it listened:\n${out}`)))
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8")
        // the last of the `export` lines it prints once it listens
        if (!/^export LUCCA_SCOPES=.*$/m.test(out)) return
        const env: Record<string, string> = {}
        for (const [, name, value] of out.matchAll(/^export (\w+)=(.*)$/gm)) {
          env[name!] = value!.startsWith("'") ? value!.slice(1, -1).replaceAll(`'\\''`, "'") : value!
        }
        child.removeAllListeners("exit")
        resolve({ pid: child.pid!, env, stop: () => child.kill("SIGTERM") })
      })
    }
  )

/** CPU seconds the process `pid` has used (user + system), from `/proc`; NaN elsewhere. */
const processCpuSeconds = (pid: number): number => {
  try {
    const fields = Fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

interface Requester {
  /** `count` GETs, at most `concurrency` at a time; resolves with how many answered 200. */
  readonly batch: (count: number, concurrency: number) => Promise<number>
  readonly close: () => Promise<void>
}

const requester = <R, E>(
  runtime: ManagedRuntime.ManagedRuntime<R, E>,
  once: Effect.Effect<number, unknown, R>
): Requester => ({
  batch: (count, concurrency) => {
    let ok = 0
    const counted = Effect.map(once, (status) => {
      if (status === 200) ok++
    })
    return runtime.runPromise(
      Effect.forEach(Array.from({ length: count }), () => counted, { concurrency, discard: true })
    ).then(() => ok)
  },
  close: () => runtime.dispose()
})

const fetchToken = async (env: Record<string, string>): Promise<string> => {
  const response = await fetch(env.LUCCA_TOKEN_URL!, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: env.LUCCA_CLIENT_ID!,
      client_secret: env.LUCCA_CLIENT_SECRET!,
      scope
    })
  })
  if (response.status !== 200) throw new Error(`the token request answered ${response.status}`)
  return ((await response.json()) as { access_token: string }).access_token
}

/** The bare Effect 4 client: undici, a static bearer, the headers `LuccaClient` sends. */
const bareClient = async (env: Record<string, string>): Promise<Requester> => {
  const accessToken = await fetchToken(env)
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = (await runtime.runPromise(Effect.service(HttpClient.HttpClient))).pipe(
    HttpClient.mapRequest(HttpClientRequest.setHeaders({
      authorization: `Bearer ${accessToken}`,
      "api-version": apiVersion,
      accept: "application/json"
    }))
  )
  const url = new URL(path, env.LUCCA_ACCOUNT_URL).toString()
  return requester(runtime, Effect.flatMap(client.get(url), (response) => Effect.as(response.text, response.status)))
}

/** `LuccaClient` as a user builds it on Node, pacing off. */
const luccaClient = async (env: Record<string, string>): Promise<Requester> => {
  const runtime = ManagedRuntime.make(
    NodeLucca.layer({
      clientId: env.LUCCA_CLIENT_ID!,
      clientSecret: Redacted.make(env.LUCCA_CLIENT_SECRET!),
      scopes: [scope],
      accountUrl: env.LUCCA_ACCOUNT_URL!,
      tokenUrl: env.LUCCA_TOKEN_URL!,
      apiVersion,
      rateLimit: false
    }).pipe(Layer.orDie)
  )
  const client = await runtime.runPromise(Effect.service(LuccaClient.LuccaClient))
  return requester(
    runtime,
    Effect.flatMap(client.execute(HttpClientRequest.get(path)), (response) => Effect.as(response.text, response.status))
  )
}

const gc = (globalThis as { gc?: () => void }).gc

/** One block, with its wall time and this process's CPU time. */
const measureBlock = async (client: Requester, requests: number, concurrency: number) => {
  // the garbage of the block before is collected first, so that neither client pays for the other's
  gc?.()
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  const ok = await client.batch(requests, concurrency)
  const cpu = process.cpuUsage(cpuBefore)
  return { ok, millis: performance.now() - start, cpu: cpu.user + cpu.system }
}

const ratio = (n: number) => Number.isFinite(n) ? `${n.toFixed(2)}x` : "n/a"
const withInterval = (samples: ReadonlyArray<number>) => {
  const [low, high] = Stats.medianInterval(samples)
  return `${ratio(Stats.median(samples))} (95 % CI ${ratio(low)}–${ratio(high)})`
}

const measure = async (env: Record<string, string>, emulatorPid: number, concurrency: number) => {
  const lucca = await luccaClient(env)
  const bare = await bareClient(env)
  try {
    await lucca.batch(settings.warmup, concurrency)
    await bare.batch(settings.warmup, concurrency)
    const throughput: Array<number> = []
    const cpu: Array<number> = []
    const totals = { lucca: { millis: 0, cpu: 0 }, bare: { millis: 0, cpu: 0 } }
    let failed = 0
    const emulatorBefore = processCpuSeconds(emulatorPid)
    const start = performance.now()
    for (let i = 0; i < settings.pairs; i++) {
      // which one goes first alternates, so that neither always follows the other
      const first = await measureBlock(i % 2 === 0 ? lucca : bare, settings.block, concurrency)
      const second = await measureBlock(i % 2 === 0 ? bare : lucca, settings.block, concurrency)
      const [l, b] = i % 2 === 0 ? [first, second] : [second, first]
      throughput.push(b.millis / l.millis)
      cpu.push(b.cpu / l.cpu)
      failed += 2 * settings.block - l.ok - b.ok
      totals.lucca.millis += l.millis
      totals.lucca.cpu += l.cpu
      totals.bare.millis += b.millis
      totals.bare.cpu += b.cpu
    }
    const emulatorBusy = (processCpuSeconds(emulatorPid) - emulatorBefore) / ((performance.now() - start) / 1000)
    const requests = settings.pairs * settings.block
    const figures = (t: { millis: number; cpu: number }) =>
      `${Math.round((requests * 1000) / t.millis)} req/s, ${Math.round(t.cpu / requests)} µs CPU/req`
    const met = failed === 0 && Stats.median(throughput) >= target && Stats.median(cpu) >= target
    process.stdout.write(
      [
        `concurrency ${concurrency}: ${settings.pairs} pairs of blocks of ${settings.block} requests; emulator busy ${
          Math.round(emulatorBusy * 100)
        }% of a core`,
        `  bare Effect 4 client: ${figures(totals.bare)}`,
        `  LuccaClient:          ${figures(totals.lucca)}`,
        `  LuccaClient / bare, median of the pairs: ${withInterval(throughput)} req/s, ${
          withInterval(cpu)
        } CPU efficiency`,
        `  target >= ${ratio(target)} in both: ${met ? "met" : "missed"}${
          failed > 0 ? ` (${failed} requests did not answer 200)` : ""
        }`,
        ""
      ].join("\n")
    )
  } finally {
    await lucca.close()
    await bare.close()
  }
}

const main = async () => {
  const emulator = await startEmulator()
  try {
    process.stdout.write(
      `effect-lucca v4 overhead bench${args.quick ? " (quick: the figures prove nothing)" : ""}\n` +
        `date: ${new Date().toISOString()}; node ${process.version}; ${Os.cpus().length} cores; load average ${
          Os.loadavg().map((l) => l.toFixed(1)).join(" ")
        }; heap collected between blocks: ${gc === undefined ? "no (run with --expose-gc)" : "yes"}\n\n`
    )
    for (const concurrency of settings.concurrencies) {
      await measure(emulator.env, emulator.pid, concurrency)
    }
  } finally {
    emulator.stop()
  }
}

main().catch((error) => {
  process.stderr.write(`overhead: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
