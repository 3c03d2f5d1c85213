/**
 * Scenario "fleet": 4 processes of one client application send their batches at once
 * against the emulator's per-account limit, sharing Redis (`@effect-lucca/redis`: one
 * token, one budget) or each alone. Time is scaled down as in the rate-limit scenario (50
 * requests per 2 s) and tokens live 2 s, so that a run spans several lifetimes. Needs
 * Debian's `redis-server`.
 *
 * @since 0.0.0
 */
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import type * as FleetMember from "./fleetMember.js"
import * as Scenario from "./Scenario.js"
import * as Stats from "./Stats.js"
import * as Table from "./Table.js"
import * as Tsx from "./Tsx.js"

/**
 * @since 0.0.0
 * @category models
 */
export interface Result {
  readonly requests: number
  readonly ok: number
  readonly tooManyRequests: number
  readonly seconds: number
  /** Requests per second achieved over the allowed requests per second. */
  readonly efficiency: number
  readonly tokenRequests: number
  /** Token requests over the tokens one process alone needs for the run (one per lifetime in service). */
  readonly tokenRequestsPerLifetime: number
}

const shared = "4 processes sharing Redis"
const alone = "4 processes, each alone"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

const startRedis = async (): Promise<{ readonly url: string; readonly stop: () => void }> => {
  const port = await freePort()
  const child = ChildProcess.spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "ignore"] }
  )
  await new Promise<void>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000)
    child.once("error", reject)
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") }
}

const member = fileURLToPath(new URL("./fleetMember.ts", import.meta.url))

const spawnMember = (input: FleetMember.Input) => {
  const child = ChildProcess.fork(member, [JSON.stringify(input)], {
    execArgv: Tsx.execArgv(),
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })
  const messages: Array<unknown> = []
  const waiting: Array<() => void> = []
  child.on("message", (message) => {
    messages.push(message)
    for (const wake of waiting.splice(0)) wake()
  })
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("fleet member: no answer within 120 s")), 120_000)
      const look = () => {
        if (messages.length > 0) {
          clearTimeout(timer)
          return resolve(messages.shift())
        }
        if (child.exitCode !== null) {
          clearTimeout(timer)
          return reject(new Error(`fleet member exited (${child.exitCode})`))
        }
        waiting.push(look)
      }
      look()
    })
  child.on("exit", () => {
    for (const wake of waiting.splice(0)) wake()
  })
  return { child, next }
}

/**
 * @since 0.0.0
 * @category scenarios
 */
export const scenario = Scenario.make<Result>({
  id: "fleet",
  title: "8. Fleet",
  plan: (mode) => ({
    rounds: mode === "full" ? 3 : 1,
    jobs: [shared, alone].map((contender) => ({
      scenario: "fleet",
      contender,
      params: {
        processes: 4,
        requests: mode === "full" ? 75 : 15,
        limit: 50,
        windowMillis: 2_000,
        burst: 5,
        tokenLifetimeMillis: 2_000,
        // refresh ahead in a token's last tenth: each token serves 1.8 s
        refreshWindowMillis: 200
      }
    }))
  }),
  measure: async (job, { emulator, target }) => {
    const { burst, limit, processes, refreshWindowMillis, requests, tokenLifetimeMillis, windowMillis } = job.params
    await emulator.reset()
    await emulator.setRateLimit(limit, windowMillis)
    await emulator.setTokenLifetime(tokenLifetimeMillis)
    const redis = job.contender === shared ? await startRedis() : undefined
    const members = Array.from({ length: processes }, () =>
      spawnMember({
        address: target,
        path: target.path,
        redisUrl: redis?.url,
        requests,
        limit,
        windowMillis,
        burst,
        refreshWindowMillis
      }))
    try {
      await Promise.all(members.map((m) => m.next()))
      const start = performance.now()
      for (const m of members) m.child.send("go")
      const results = (await Promise.all(members.map((m) => m.next()))) as Array<{ ok: number }>
      const seconds = (performance.now() - start) / 1000
      const stats = await emulator.stats()
      const total = processes * requests
      const allowedPerSecond = limit / (windowMillis / 1000)
      return {
        requests: total,
        ok: results.reduce((sum, r) => sum + r.ok, 0),
        tooManyRequests: stats.api.byStatus["429"] ?? 0,
        seconds,
        efficiency: total / seconds / allowedPerSecond,
        tokenRequests: stats.token.issued,
        // one process alone needs a token per lifetime in service (refreshed ahead, each
        // token serves its lifetime less the refresh window): the fleet should need no more
        tokenRequestsPerLifetime: stats.token.issued /
          Math.ceil((seconds * 1000) / (tokenLifetimeMillis - refreshWindowMillis))
      }
    } finally {
      for (const m of members) m.child.kill("SIGKILL")
      redis?.stop()
    }
  },
  report: (outcomes) =>
    [shared, alone].map((contender): Scenario.Row => {
      const results = Scenario.select(outcomes, contender).map((o) => o.result)
      const params = outcomes[0]?.job.params
      const tooMany = results.map((r) => r.tooManyRequests)
      const efficiency = Stats.median(results.map((r) => r.efficiency))
      const perLifetime = Stats.median(results.map((r) => r.tokenRequestsPerLifetime))
      const failed = results.some((r) => r.ok !== r.requests)
      return {
        scenario: `8. Fleet (${params?.processes ?? "?"} processes × ${params?.requests ?? "?"} requests, limit ${
          params?.limit ?? "?"
        } per ${(params?.windowMillis ?? Number.NaN) / 1000} s, ${
          (params?.tokenLifetimeMillis ?? Number.NaN) / 1000
        } s tokens)`,
        contender,
        figures: [
          `${Table.count(Stats.median(tooMany))} × 429 (runs: ${tooMany.join(", ")})`,
          `${Stats.median(results.map((r) => r.seconds)).toFixed(1)} s`,
          `${Stats.median(results.map((r) => r.tokenRequests))} token requests`,
          ...(failed ? ["some requests did not answer 200"] : [])
        ].join("; "),
        ratio: `achieved/allowed ${efficiency.toFixed(3)}; token requests per lifetime in service ${
          perLifetime.toFixed(2)
        }`,
        target: contender === shared
          ? "0 × 429; ≥ 0.85 of allowed rate; ≤ 1 token request per lifetime in service"
          : "reference",
        verdict: contender === shared
          ? Math.max(...tooMany) === 0 && efficiency >= 0.85 && perLifetime <= 1 && !failed ? "met" : "missed"
          : "reference"
      }
    })
})
