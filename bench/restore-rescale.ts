/**
 * Restore cost of keyed state at another parallelism and another max parallelism.
 *
 * N integer keys hold a count in a value state, written as the snapshots of 2 subtasks at max
 * parallelism 128. Each variant restores them into new backends covering all key groups and is
 * timed over all its subtasks together (the work a restore does, as if on one core):
 *   same      2 subtasks, max parallelism 128 (each reads its own snapshot's key groups)
 *   2->3      3 subtasks, max parallelism 128 (each reads the overlapping old snapshots' groups)
 *   128->256  2 subtasks, max parallelism 256 (each reads every old snapshot and re-buckets each key)
 *   128->64   2 subtasks, max parallelism 64
 * The variants alternate round after round after a warm-up round; printed are the median and
 * spread (min-max) of the restore time, MB/s of snapshot bytes restored per core, and the ratio to
 * `same` measured in the same run.
 *
 *   node --expose-gc --import tsx bench/restore-rescale.ts [keys] [rounds]
 */
import { assignToKeyGroup, keyGroupRangeForSubtask, subtaskForKeyGroup } from "../src/core/key-groups.ts";
import { ValueStateDescriptor } from "../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../src/state/heap/heap-keyed-state-backend.ts";
import { writeAll } from "../test/state/keyed-state-snapshot-conformance.ts";
import { median, table } from "./stats.ts";

const keys = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);
const count = new ValueStateDescriptor<number>("count");

const snapshots = [0, 1].map((subtask) => new HeapKeyedStateBackend({ keyGroupRange: keyGroupRangeForSubtask(subtask, 2, 128), maxParallelism: 128 }));
for (let key = 0; key < keys; key++) {
  const backend = snapshots[subtaskForKeyGroup(assignToKeyGroup(key, 128), 2, 128)]!;
  backend.setCurrentKey(key);
  backend.getState(count).update(key % 1000);
}
const bytes = snapshots.map((b) => writeAll(b.snapshot()));
const totalBytes = bytes.reduce((n, b) => n + b.byteLength, 0);

function restore(parallelism: number, maxParallelism: number): number {
  globalThis.gc?.();
  const start = performance.now();
  let restored = 0;
  for (let subtask = 0; subtask < parallelism; subtask++) {
    const backend = new HeapKeyedStateBackend({ keyGroupRange: keyGroupRangeForSubtask(subtask, parallelism, maxParallelism), maxParallelism });
    backend.restore(bytes);
    backend.getState(count);
    restored += backend.numKeys("count");
  }
  const ms = performance.now() - start;
  if (restored !== keys) throw new Error(`restored ${restored} keys, expected ${keys}`);
  return ms;
}

const variants = [
  { name: "same (p 2, max 128)", parallelism: 2, maxParallelism: 128 },
  { name: "2->3 (max 128)", parallelism: 3, maxParallelism: 128 },
  { name: "128->256 (p 2)", parallelism: 2, maxParallelism: 256 },
  { name: "128->64 (p 2)", parallelism: 2, maxParallelism: 64 },
];
const times = variants.map(() => [] as number[]);
for (let round = 0; round <= rounds; round++) {
  variants.forEach((v, i) => {
    const ms = restore(v.parallelism, v.maxParallelism);
    if (round > 0) times[i]!.push(ms);
  });
}
const base = median(times[0]!);
console.log(`restore of ${keys.toLocaleString("en")} keys (${(totalBytes / 1e6).toFixed(1)} MB of snapshots from 2 subtasks at max parallelism 128), ${rounds} rounds`);
console.log(
  table(
    ["variant", "median ms", "spread ms", "MB/s per core", "ratio to same"],
    variants.map((v, i) => {
      const m = median(times[i]!);
      return [v.name, m.toFixed(0), `${Math.min(...times[i]!).toFixed(0)}-${Math.max(...times[i]!).toFixed(0)}`, (totalBytes / 1e6 / (m / 1000)).toFixed(0), (m / base).toFixed(2)];
    }),
  ),
);
