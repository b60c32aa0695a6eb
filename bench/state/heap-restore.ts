/**
 * A heap backend's restore on its own, without a job around it: a snapshot of `--keys` counts
 * (one number per number key, in half of 128 key groups, as one subtask of two holds them) is
 * restored into a new backend per round, after which 200k keys are updated
 * (`update(value() + 1)`). CPU time of each is the figure (the machine may be shared), with the
 * first round a warm-up that is not counted. The restore is what a task does with the bytes of
 * its state file once read: decoding the sections and loading the key groups.
 *
 * With `--changes N`, the restore is of an incremental chain instead: the snapshot, then N changes
 * snapshots (incremental checkpoints), each of a tenth of the keys updated.
 *
 *   node --import tsx bench/state/heap-restore.ts [--keys 5000000] [--rounds 5] [--changes 0]
 *
 * Prints the median (and spread) of the restore's CPU time, restored MB per CPU second, and the
 * updates per CPU second after it.
 */
import { parseArgs } from "node:util";
import { assignToKeyGroup } from "../../src/core/key-groups.ts";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";
import { formatRate, formatSummary, summarize, table } from "../stats.ts";

const { values: flags } = parseArgs({ options: { keys: { type: "string" }, rounds: { type: "string" }, changes: { type: "string" } } });
const KEYS = Number(flags.keys ?? 5_000_000);
const ROUNDS = Number(flags.rounds ?? 5);
const CHANGES = Number(flags.changes ?? 0);
const UPDATES = 200_000;
const MAX_PARALLELISM = 128;
const RANGE = { start: 0, end: MAX_PARALLELISM / 2 - 1 };
const OPTIONS = { keyGroupRange: RANGE, maxParallelism: MAX_PARALLELISM };

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The first `count` number keys in RANGE, from 0 up. */
function keysInRange(count: number): number[] {
  const keys: number[] = [];
  for (let k = 0; keys.length < count; k++) if (assignToKeyGroup(k, MAX_PARALLELISM) <= RANGE.end) keys.push(k);
  return keys;
}

function written(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  snapshot.release();
  return step.value;
}

/** The snapshot of counts under `keys`, then CHANGES changes snapshots of a tenth of them each. */
function snapshotsOf(keys: readonly number[]): Uint8Array[] {
  const backend = new HeapKeyedStateBackend({ ...OPTIONS, changelog: CHANGES > 0 });
  const counts = backend.getState(new ValueStateDescriptor<number>("count"));
  for (const k of keys) {
    backend.setCurrentKey(k);
    counts.update((k % 1000) + 1);
  }
  if (CHANGES > 0) backend.snapshotChanges()?.release();
  const files = [written(backend.snapshot())];
  for (let c = 1; c <= CHANGES; c++) {
    for (let i = c; i < keys.length; i += 10) {
      backend.setCurrentKey(keys[i]);
      counts.update(c);
    }
    files.push(written(backend.snapshotChanges()!));
  }
  return files;
}

const keys = keysInRange(KEYS);
const files = snapshotsOf(keys);
const bytes = { length: files.reduce((sum, f) => sum + f.length, 0) };
const restoreMs: number[] = [];
const updatesPerCpuSecond: number[] = [];
for (let round = 0; round <= ROUNDS; round++) {
  let start = cpuMs();
  const backend = new HeapKeyedStateBackend(OPTIONS);
  backend.restore(files);
  const restored = cpuMs() - start;
  const counts = backend.getState(new ValueStateDescriptor<number>("count"));
  start = cpuMs();
  for (let i = 0; i < UPDATES; i++) {
    backend.setCurrentKey(keys[(i * 7919) % keys.length]);
    counts.update((counts.value() ?? 0) + 1);
  }
  const updated = cpuMs() - start;
  if (round === 0) continue;
  restoreMs.push(restored);
  updatesPerCpuSecond.push(UPDATES / (updated / 1000));
}
const mb = bytes.length / 1e6;
console.log(`${keys.length} keys, ${CHANGES > 0 ? `snapshot and ${CHANGES} changes snapshots` : "snapshot"} ${mb.toFixed(1)} MB, ${ROUNDS} rounds after a warm-up: median (min–max)`);
console.log(
  table(
    ["restore, CPU", "MB per CPU second", "updates per CPU second after"],
    [
      [
        formatSummary(summarize(restoreMs), (ms) => `${ms.toFixed(0)} ms`),
        formatSummary(summarize(restoreMs.map((ms) => mb / (ms / 1000))), (v) => v.toFixed(1)),
        formatSummary(summarize(updatesPerCpuSecond), formatRate),
      ],
    ],
  ),
);
