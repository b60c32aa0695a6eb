/**
 * The keyed state backends on their own, without a job around them: per round, a new backend of
 * each kind (heap and disk, alternating, heap first) gets `--keys` keys written once (a count per
 * key, `update(value() + 1)`), then as many updates of random keys, then a snapshot written out
 * whole. CPU time of each phase is the figure (the machine may be shared; wall clock is printed
 * too), with the first round a warm-up that is not counted.
 *
 *   node --import tsx bench/state/disk-backend-access.ts [--keys 1000000] [--rounds 5]
 *
 * Prints, per backend, the median (and spread) of keys written per CPU second, updates per CPU
 * second and the CPU time of writing a snapshot, and the disk backend's figures as ratios of the
 * heap backend's in the same round.
 */
import { parseArgs } from "node:util";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { DiskKeyedStateBackend } from "../../src/state/disk/disk-keyed-state-backend.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { formatRate, formatSummary, ratios, summarize, table } from "../stats.ts";

const { values: flags } = parseArgs({ options: { keys: { type: "string" }, rounds: { type: "string" } } });
const KEYS = Number(flags.keys ?? 1_000_000);
const ROUNDS = Number(flags.rounds ?? 5);
const OPTIONS = { keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 };

interface Round {
  fillPerCpuSecond: number;
  updatesPerCpuSecond: number;
  snapshotCpuMs: number;
  snapshotWallMs: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function round(backend: KeyedStateBackend): Round {
  const count = backend.getState(new ValueStateDescriptor<number>("count"));
  let cpu = process.cpuUsage();
  for (let key = 0; key < KEYS; key++) {
    backend.setCurrentKey(key);
    count.update((count.value() ?? 0) + 1);
  }
  const fillMs = cpuMs(cpu);
  cpu = process.cpuUsage();
  for (let i = 0; i < KEYS; i++) {
    backend.setCurrentKey(Math.floor(Math.random() * KEYS));
    count.update((count.value() ?? 0) + 1);
  }
  const updateMs = cpuMs(cpu);
  cpu = process.cpuUsage();
  const started = performance.now();
  const writing = backend.snapshot().write();
  let step = writing.next();
  while (step.done !== true) step = writing.next();
  const snapshotCpuMs = cpuMs(cpu);
  const snapshotWallMs = performance.now() - started;
  backend.dispose();
  return { fillPerCpuSecond: KEYS / (fillMs / 1000), updatesPerCpuSecond: KEYS / (updateMs / 1000), snapshotCpuMs, snapshotWallMs };
}

const heap: Round[] = [];
const disk: Round[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const h = round(new HeapKeyedStateBackend(OPTIONS));
  const d = round(new DiskKeyedStateBackend(OPTIONS));
  process.stderr.write(`round ${r}${r === 0 ? " (warm-up)" : ""}: heap ${JSON.stringify(h)}, disk ${JSON.stringify(d)}\n`);
  if (r === 0) continue;
  heap.push(h);
  disk.push(d);
}

const rate = (v: number): string => formatRate(v);
const ms = (v: number): string => `${v.toFixed(0)} ms`;
const x = (v: number): string => v.toFixed(3);
const of = (rounds: Round[], field: keyof Round): number[] => rounds.map((r) => r[field]);
console.log(`${KEYS.toLocaleString("en")} keys, ${ROUNDS} rounds after a warm-up (median and spread; CPU time)`);
console.log(
  table(
    ["backend", "fill per CPU s", "updates per CPU s", "snapshot CPU", "snapshot wall"],
    [
      ["heap", formatSummary(summarize(of(heap, "fillPerCpuSecond")), rate), formatSummary(summarize(of(heap, "updatesPerCpuSecond")), rate), formatSummary(summarize(of(heap, "snapshotCpuMs")), ms), formatSummary(summarize(of(heap, "snapshotWallMs")), ms)],
      ["disk", formatSummary(summarize(of(disk, "fillPerCpuSecond")), rate), formatSummary(summarize(of(disk, "updatesPerCpuSecond")), rate), formatSummary(summarize(of(disk, "snapshotCpuMs")), ms), formatSummary(summarize(of(disk, "snapshotWallMs")), ms)],
      [
        "disk / heap",
        formatSummary(summarize(ratios(of(disk, "fillPerCpuSecond"), of(heap, "fillPerCpuSecond"))), x),
        formatSummary(summarize(ratios(of(disk, "updatesPerCpuSecond"), of(heap, "updatesPerCpuSecond"))), x),
        formatSummary(summarize(ratios(of(disk, "snapshotCpuMs"), of(heap, "snapshotCpuMs"))), x),
        formatSummary(summarize(ratios(of(disk, "snapshotWallMs"), of(heap, "snapshotWallMs"))), x),
      ],
    ],
  ),
);
