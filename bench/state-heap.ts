/**
 * Heap keyed state benchmarks.
 *
 * 1. Keyed count: for each record, setCurrentKey + ValueState.value() + update(count + 1), 1M
 *    records over 100k integer keys in random order, against the same count in one plain Map.
 * 2. Writes during a snapshot: 1M keys hold state; 1M updates of random keys run in batches, with
 *    or without a snapshot taken at the start and written one step (key group) between batches,
 *    as a task's asynchronous phase does. Only the updates are timed. Reported: the update rate
 *    without and with the live snapshot, and their ratio, per second of wall-clock time and per
 *    second of the process's CPU time (steadier on a shared machine, as it leaves out time the
 *    process waited for a core); and the slowest single update of each
 *    (timed one by one in separate rounds). Two value shapes: numbers (`update(n + 1)`), and
 *    objects changed in place (`s = value(); s.n++; update(s)`).
 *
 * Every variant is warmed up, then the variants alternate, round after round; medians are
 * printed with the spread (min–max) over the rounds.
 *
 *   node --expose-gc --import tsx bench/state-heap.ts
 */
import { ValueStateDescriptor } from "../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../src/state/heap/heap-keyed-state-backend.ts";
import type { ValueState } from "../src/state/state.ts";
import { formatRate, median } from "./stats.ts";

const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
/** Collects garbage between rounds when node runs with --expose-gc, so one round's garbage does not pause the next. */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

function randomKeys(count: number, keys: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    out[i] = (seed >>> 8) % keys;
  }
  return out;
}

const spread = (values: readonly number[], format: (v: number) => string) => `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

/** Runs each variant WARMUP_ROUNDS + ROUNDS times, alternating; returns the measured rounds' results per variant. */
function alternate<T>(variants: Record<string, () => T>): Record<string, T[]> {
  const results: Record<string, T[]> = {};
  for (let i = 0; i < WARMUP_ROUNDS + ROUNDS; i++) {
    const names = Object.keys(variants);
    if (i % 2 === 1) names.reverse();
    for (const name of names) {
      collectGarbage();
      const result = variants[name]!();
      if (i >= WARMUP_ROUNDS) (results[name] ??= []).push(result);
    }
  }
  return results;
}

// ---- 1. keyed count against a plain Map ----

const COUNT_RECORDS = 1_000_000;
const COUNT_KEYS = 100_000;

function heapCountRound(keys: Int32Array): number {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const count = backend.getState(new ValueStateDescriptor<number>("count"));
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    backend.setCurrentKey(keys[i]);
    count.update((count.value() ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (backend.numKeys("count") > COUNT_KEYS) throw new Error("more keys than generated");
  return keys.length / (elapsed / 1000);
}

function plainMapRound(keys: Int32Array): number {
  const counts = new Map<number, number>();
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (counts.size > COUNT_KEYS) throw new Error("more keys than generated");
  return keys.length / (elapsed / 1000);
}

const countKeys = randomKeys(COUNT_RECORDS, COUNT_KEYS, 0x2545f491);
const counts = alternate({ baseline: () => plainMapRound(countKeys), heap: () => heapCountRound(countKeys) });
console.log(`keyed count, ${COUNT_RECORDS / 1e6}M records over ${COUNT_KEYS / 1e3}k integer keys, random order; median (min–max) of ${ROUNDS} rounds`);
console.log(`  plain Map (baseline)     ${spread(counts.baseline!, formatRate)}`);
console.log(`  HeapKeyedStateBackend    ${spread(counts.heap!, formatRate)}  (${((median(counts.heap!) / median(counts.baseline!)) * 100).toFixed(0)}% of baseline)`);

// ---- 2. writes while a snapshot is live ----

const KEYS = 1_000_000;
const UPDATES = 1_000_000;
/** Updates between two steps of the snapshot's write: about all of them spread over the 128 key groups. */
const BATCH = Math.ceil(UPDATES / 128);

interface Shape<V> {
  readonly name: string;
  initial(key: number): V;
  /** One update of the current key. */
  update(state: ValueState<V>): void;
}

const numbers: Shape<number> = {
  name: "numbers: update(value() + 1)",
  initial: (key) => key,
  update: (state) => state.update(state.value()! + 1),
};

const objects: Shape<{ n: number; last: number }> = {
  name: "objects changed in place: s.n++; update(s)",
  initial: (key) => ({ n: key, last: 0 }),
  update: (state) => {
    const s = state.value()!;
    s.n++;
    s.last = s.n;
    state.update(s);
  },
};

function filledBackend<V>(shape: Shape<V>): { backend: HeapKeyedStateBackend; state: ValueState<V> } {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const state = backend.getState(new ValueStateDescriptor<V>("v"));
  for (let key = 0; key < KEYS; key++) {
    backend.setCurrentKey(key);
    state.update(shape.initial(key));
  }
  return { backend, state };
}

interface RoundResult {
  /** Updates per second of wall-clock time, and of the process's CPU time (batch-timed rounds). */
  readonly rate: number;
  readonly cpuRate: number;
  /** The slowest single update in milliseconds, and how many took over 1 ms (per-update rounds). */
  readonly slowestMs: number;
  readonly over1ms: number;
}

/**
 * One round of UPDATES updates in batches; with `snapshot`, a snapshot is taken first and one
 * step of its write runs between batches (untimed). Times batches, or with `perUpdate` each
 * update on its own.
 */
function writeRound<V>(shape: Shape<V>, filled: { backend: HeapKeyedStateBackend; state: ValueState<V> }, keys: Int32Array, snapshot: boolean, perUpdate: boolean): RoundResult {
  const { backend, state } = filled;
  const taken = snapshot ? backend.snapshot() : undefined;
  const steps = taken?.write();
  let timed = 0;
  let cpuMicros = 0;
  let slowest = 0;
  let over1ms = 0;
  for (let at = 0; at < keys.length; at += BATCH) {
    const end = Math.min(keys.length, at + BATCH);
    if (perUpdate) {
      for (let i = at; i < end; i++) {
        const t0 = performance.now();
        backend.setCurrentKey(keys[i]);
        shape.update(state);
        const t = performance.now() - t0;
        if (t > slowest) slowest = t;
        if (t > 1) over1ms++;
      }
    } else {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = at; i < end; i++) {
        backend.setCurrentKey(keys[i]);
        shape.update(state);
      }
      timed += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
    steps?.next();
  }
  if (steps !== undefined) while (!steps.next().done);
  taken?.release();
  return { rate: keys.length / (timed / 1000), cpuRate: keys.length / (cpuMicros / 1e6), slowestMs: slowest, over1ms };
}

function writesDuringSnapshot<V>(shape: Shape<V>): void {
  const filled = filledBackend(shape);
  const keys = randomKeys(UPDATES, KEYS, 0x1234567);
  const rates = alternate({
    without: () => writeRound(shape, filled, keys, false, false),
    with: () => writeRound(shape, filled, keys, true, false),
  });
  const slowest = alternate({
    without: () => writeRound(shape, filled, keys, false, true),
    with: () => writeRound(shape, filled, keys, true, true),
  });
  const without = rates.without!.map((r) => r.rate);
  const live = rates.with!.map((r) => r.rate);
  const ratios = live.map((r, i) => r / without[i]!);
  const cpuWithout = rates.without!.map((r) => r.cpuRate);
  const cpuLive = rates.with!.map((r) => r.cpuRate);
  const cpuRatios = cpuLive.map((r, i) => r / cpuWithout[i]!);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const count = (v: number) => v.toFixed(0);
  console.log(`  ${shape.name}`);
  console.log(`    update rate, no snapshot         ${spread(without, formatRate)}`);
  console.log(`    update rate, snapshot live       ${spread(live, formatRate)}`);
  console.log(`    ratio (live / none, per round)   ${spread(ratios, (v) => `${v.toFixed(2)}x`)}`);
  console.log(`    per CPU second, no snapshot      ${spread(cpuWithout, formatRate)}`);
  console.log(`    per CPU second, snapshot live    ${spread(cpuLive, formatRate)}`);
  console.log(`    CPU ratio (live / none)          ${spread(cpuRatios, (v) => `${v.toFixed(2)}x`)}`);
  console.log(`    slowest update, no snapshot      ${spread(slowest.without!.map((r) => r.slowestMs), ms)}`);
  console.log(`    slowest update, snapshot live    ${spread(slowest.with!.map((r) => r.slowestMs), ms)}`);
  console.log(`    updates over 1 ms, no snapshot   ${spread(slowest.without!.map((r) => r.over1ms), count)}`);
  console.log(`    updates over 1 ms, snapshot live ${spread(slowest.with!.map((r) => r.over1ms), count)}`);
}

console.log(`\nwrites during a snapshot, ${KEYS / 1e6}M keys, ${UPDATES / 1e6}M updates of random keys, one snapshot step per ${BATCH} updates; median (min–max) of ${ROUNDS} rounds`);
writesDuringSnapshot(numbers);
writesDuringSnapshot(objects);
