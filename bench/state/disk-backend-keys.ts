/**
 * The disk state backend with many keys under a small heap, beside the heap backend: the
 * keyed-state job (bench/jobs/keyed-state.ts: a count per key, every key written once, then
 * random keys updated as fast as the job goes) at parallelism 2 with a checkpoint every second,
 * each configuration in a child process started with `--max-old-space-size=1024`.
 *
 *   node --import tsx bench/state/disk-backend-keys.ts [--runs heap:1000000,disk:1000000,disk:50000000] [--checkpoints 5] [--timeout 1800]
 *
 * Per run it prints the fill rate (keys written per second from the job's start until the state
 * holds every key) and the process's CPU time per key until then (every thread, start-up
 * included: the figure a shared machine changes least), the update rate after the fill (records per second), the p50 and p99 of the
 * checkpoints that completed after the fill and their size, and the peak resident memory of the
 * process (the heap and the memory-mapped store both count). A run that does not finish within
 * `--timeout` seconds is reported as far as it got.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { StateBackendName } from "../../src/state/state-backends.ts";
import { runKeyedStateJob } from "../checkpoints/keyed-state-run.ts";
import { formatBytes, formatMs, formatRate, percentile, table } from "../stats.ts";

const { values: flags } = parseArgs({
  options: { runs: { type: "string" }, checkpoints: { type: "string" }, timeout: { type: "string" }, child: { type: "string" } },
});
const CHECKPOINTS = Number(flags.checkpoints ?? 5);
const TIMEOUT_S = Number(flags.timeout ?? 1800);

interface RunReport {
  backend: string;
  keys: number;
  filled: boolean;
  fillPerSecond: number | undefined;
  /** Records the state had taken in when the run ended (all keys once it is filled). */
  counted: number;
  /** Records per second over the run, while it was filling (the fill rate so far of a run that did not fill). */
  countedPerSecond: number;
  /** CPU time of the process (every thread) per key until the state held every key, in µs: the figure that load changes least. */
  fillCpuMicrosPerKey: number | undefined;
  checkpointsAfterFill: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  bytes: number | undefined;
  peakRssBytes: number;
  error: string | undefined;
}

async function child(spec: string): Promise<void> {
  const [backend, keysText] = spec.split(":") as [StateBackendName, string];
  const keys = Number(keysText);
  let peakRss = 0;
  let counted = 0;
  let fillCpu: NodeJS.CpuUsage | undefined;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  // A long run says how far it got now and then (on stderr, which the parent passes through).
  const started = Date.now();
  const progress = setInterval(() => process.stderr.write(`${spec}: ${counted.toLocaleString("en")} records after ${((Date.now() - started) / 1000).toFixed(0)} s, peak RSS ${formatBytes(peakRss)}\n`), 60_000);
  const run = await runKeyedStateJob({
    keys,
    updatesPerSecond: 0,
    intervalMs: 1000,
    timeoutMs: TIMEOUT_S * 1000,
    stateBackend: backend,
    done: (view) => {
      counted = view.counted;
      if (view.filledAt === undefined) return false;
      fillCpu ??= process.cpuUsage();
      return view.checkpoints.filter((c) => c.status === "completed" && c.triggerTime >= view.filledAt!).length >= CHECKPOINTS;
    },
  });
  clearInterval(sampler);
  clearInterval(progress);
  const after = run.checkpoints.filter((c) => c.status === "completed" && run.filledAt !== undefined && c.triggerTime >= run.filledAt);
  const durations = after.map((c) => c.durationMs!);
  const report: RunReport = {
    backend,
    keys,
    filled: run.filledAt !== undefined,
    fillPerSecond: run.filledAt === undefined ? undefined : keys / ((run.filledAt - run.startedAt) / 1000),
    counted: run.counted,
    countedPerSecond: run.counted / ((run.endedAt - run.startedAt) / 1000),
    fillCpuMicrosPerKey: fillCpu === undefined ? undefined : (fillCpu.user + fillCpu.system) / keys,
    checkpointsAfterFill: after.length,
    p50Ms: durations.length === 0 ? undefined : percentile(durations, 50),
    p99Ms: durations.length === 0 ? undefined : percentile(durations, 99),
    bytes: after.at(-1)?.bytes,
    peakRssBytes: peakRss,
    error: run.error?.message,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function parent(): void {
  const runs = (flags.runs ?? "heap:1000000,disk:1000000").split(",");
  const reports: RunReport[] = [];
  for (const spec of runs) {
    const started = Date.now();
    const result = spawnSync(process.execPath, ["--max-old-space-size=1024", "--import", "tsx", fileURLToPath(import.meta.url), "--child", spec, "--checkpoints", String(CHECKPOINTS), "--timeout", String(TIMEOUT_S)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20,
    });
    const line = result.stdout.trim().split("\n").at(-1) ?? "";
    try {
      reports.push(JSON.parse(line) as RunReport);
    } catch {
      const [backend, keys] = spec.split(":");
      reports.push({ backend: backend!, keys: Number(keys), filled: false, fillPerSecond: undefined, counted: 0, countedPerSecond: 0, fillCpuMicrosPerKey: undefined, checkpointsAfterFill: 0, p50Ms: undefined, p99Ms: undefined, bytes: undefined, peakRssBytes: 0, error: `the child exited with ${result.status ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(0)} s` });
    }
    process.stderr.write(`${spec}: ${line}\n`);
  }
  console.log(
    table(
      ["backend", "keys", "fill rate", "fill CPU/key", "checkpoints", "p50", "p99", "checkpoint size", "peak RSS", "error"],
      reports.map((r) => [
        r.backend,
        r.keys.toLocaleString("en"),
        r.fillPerSecond === undefined ? `not filled (${r.counted.toLocaleString("en")} at ${formatRate(r.countedPerSecond)})` : formatRate(r.fillPerSecond),
        r.fillCpuMicrosPerKey === undefined ? "-" : `${r.fillCpuMicrosPerKey.toFixed(1)} µs`,
        String(r.checkpointsAfterFill),
        formatMs(r.p50Ms),
        formatMs(r.p99Ms),
        r.bytes === undefined ? "-" : formatBytes(r.bytes),
        formatBytes(r.peakRssBytes),
        r.error ?? "",
      ]),
    ),
  );
}

if (flags.child !== undefined) await child(flags.child);
else parent();
