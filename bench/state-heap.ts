/**
 * Keyed count on the heap state backend: for each record, setCurrentKey + ValueState.value() +
 * update(count + 1), 1M records over 100k integer keys in random order, against the same count in
 * one plain Map as the baseline. Prints records/s (fastest of the measured rounds) and the ratio.
 *
 *   node --import tsx bench/state-heap.ts
 */
import { ValueStateDescriptor } from "../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../src/state/heap/heap-keyed-state-backend.ts";

const RECORDS = 1_000_000;
const KEYS = 100_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;

function randomKeys(): Int32Array {
  const keys = new Int32Array(RECORDS);
  let seed = 0x2545f491;
  for (let i = 0; i < RECORDS; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    keys[i] = (seed >>> 8) % KEYS;
  }
  return keys;
}

function heapBackendRound(keys: Int32Array): number {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const count = backend.getState(new ValueStateDescriptor<number>("count"));
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    backend.setCurrentKey(keys[i]);
    count.update((count.value() ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (backend.numKeys("count") > KEYS) throw new Error("more keys than generated");
  return elapsed;
}

function plainMapRound(keys: Int32Array): number {
  const counts = new Map<number, number>();
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (counts.size > KEYS) throw new Error("more keys than generated");
  return elapsed;
}

/** Rounds of the two loops alternate, so a noisy neighbour slows both alike; the fastest round of each counts. */
function measure(rounds: Record<string, (keys: Int32Array) => number>, keys: Int32Array): Record<string, number> {
  const best: Record<string, number> = {};
  for (let i = 0; i < WARMUP_ROUNDS + ROUNDS; i++) {
    for (const [name, round] of Object.entries(rounds)) {
      const elapsed = round(keys);
      if (i >= WARMUP_ROUNDS) best[name] = Math.min(best[name] ?? Infinity, elapsed);
    }
  }
  for (const name of Object.keys(best)) best[name] = RECORDS / (best[name]! / 1000);
  return best;
}

const { baseline, heap } = measure({ baseline: plainMapRound, heap: heapBackendRound }, randomKeys());
const fmt = (perSecond: number) => `${(perSecond / 1e6).toFixed(2)} M records/s`;
console.log(`keyed count, ${RECORDS / 1e6}M records over ${KEYS / 1e3}k integer keys, random order (best of ${ROUNDS} rounds)`);
console.log(`  plain Map (baseline)     ${fmt(baseline!)}`);
console.log(`  HeapKeyedStateBackend    ${fmt(heap!)}  (${((heap! / baseline!) * 100).toFixed(0)}% of baseline)`);
