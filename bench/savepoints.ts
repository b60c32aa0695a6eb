/**
 * Savepoint and restore cost of keyed state, with rescaling (`npm run bench -- --only savepoints`;
 * run in a child process of its own for the heap room 10M keys need).
 *
 * N integer keys hold a count in a value state, as 2 subtasks at max parallelism 128 hold them.
 * Per round, after a warm-up round, in alternating order:
 *   checkpoint  both subtasks snapshot and write their state files durably, then `_metadata`
 *               completes the checkpoint (the baseline);
 *   savepoint   the same, completed as a savepoint: the files are copied into a self-contained
 *               savepoint directory, checked against their checksums, then `_metadata` is written.
 * Then, from one savepoint, restores that read the state files back (checksums checked) and build
 * new backends, timed over all their subtasks together (the work of a restore as if on one core):
 *   same      2 subtasks, max parallelism 128
 *   2->3      3 subtasks, max parallelism 128
 *   2->1      1 subtask,  max parallelism 128 (the 2 subtasks' state, merged)
 *   128->256  2 subtasks, max parallelism 256 (every key is re-bucketed)
 *   128->64   2 subtasks, max parallelism 64
 * Printed and written to bench/results/savepoints.json: median and spread (min-max) of each time,
 * MB/s of state per core, and ratios to the baseline measured in the same run.
 *
 *   node --expose-gc --max-old-space-size=12288 --import tsx bench/savepoints.ts <keys,keys> <rounds> [results file]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FileCheckpointStorage } from "../src/checkpoint/storage/file-checkpoint-storage.ts";
import { checkpointId, type CheckpointId } from "../src/checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata, StateHandle } from "../src/checkpoint/storage/checkpoint-metadata.ts";
import { assignToKeyGroup, keyGroupRangeForSubtask, subtaskForKeyGroup } from "../src/core/key-groups.ts";
import { ValueStateDescriptor } from "../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../src/state/heap/heap-keyed-state-backend.ts";
import { writeAll } from "../test/state/keyed-state-snapshot-conformance.ts";
import { formatSummary, summarize, type Summary } from "./stats.ts";

const OLD_PARALLELISM = 2;
const OLD_MAX_PARALLELISM = 128;
const OPERATOR = "count";
const count = new ValueStateDescriptor<number>("count");

const RESTORES = [
  { name: "same", parallelism: 2, maxParallelism: 128 },
  { name: "2->3", parallelism: 3, maxParallelism: 128 },
  { name: "2->1", parallelism: 1, maxParallelism: 128 },
  { name: "128->256", parallelism: 2, maxParallelism: 256 },
  { name: "128->64", parallelism: 2, maxParallelism: 64 },
] as const;

export interface SavepointRow {
  readonly keys: number;
  readonly stateBytes: number;
  readonly checkpointMs: Summary;
  readonly savepointMs: Summary;
  /** Savepoint time over checkpoint time, per round: what copying into a self-contained directory costs. */
  readonly savepointToCheckpoint: Summary;
  readonly savepointMbPerSecondPerCore: number;
  readonly restores: readonly { readonly variant: string; readonly ms: Summary; readonly mbPerSecondPerCore: number; readonly ratioToSame: Summary }[];
}

function filledBackends(keys: number): HeapKeyedStateBackend[] {
  const backends = Array.from(
    { length: OLD_PARALLELISM },
    (_, subtask) => new HeapKeyedStateBackend({ keyGroupRange: keyGroupRangeForSubtask(subtask, OLD_PARALLELISM, OLD_MAX_PARALLELISM), maxParallelism: OLD_MAX_PARALLELISM }),
  );
  for (let key = 0; key < keys; key++) {
    const backend = backends[subtaskForKeyGroup(assignToKeyGroup(key, OLD_MAX_PARALLELISM), OLD_PARALLELISM, OLD_MAX_PARALLELISM)]!;
    backend.setCurrentKey(key);
    backend.getState(count).update(key % 1000);
  }
  return backends;
}

/** Both subtasks snapshot and write their files durably; resolves to the metadata that completes checkpoint `id`. */
async function writeState(storage: FileCheckpointStorage, backends: readonly HeapKeyedStateBackend[], id: CheckpointId): Promise<{ metadata: CheckpointMetadata; bytes: number }> {
  const handles: StateHandle[] = [];
  for (const [subtask, backend] of backends.entries()) handles.push(await storage.writeState(id, { operatorId: OPERATOR, subtask }, writeAll(backend.snapshot())));
  const now = Date.now();
  const metadata: CheckpointMetadata = {
    formatVersion: 1,
    jobId: storage.jobId,
    checkpointId: id,
    triggeredAt: now,
    completedAt: now,
    jobFingerprint: "bench-savepoints",
    operators: [
      {
        operatorId: OPERATOR,
        parallelism: OLD_PARALLELISM,
        maxParallelism: OLD_MAX_PARALLELISM,
        subtasks: handles.map((h, subtask) => ({ subtask, state: [h], keyGroupRange: keyGroupRangeForSubtask(subtask, OLD_PARALLELISM, OLD_MAX_PARALLELISM) })),
      },
    ],
  };
  return { metadata, bytes: handles.reduce((n, h) => n + h.bytes, 0) };
}

async function restore(storage: FileCheckpointStorage, savepoint: string, variant: (typeof RESTORES)[number], keys: number): Promise<number> {
  globalThis.gc?.();
  const start = performance.now();
  const { metadata } = await storage.resolve(savepoint);
  const files = await Promise.all(metadata.operators[0]!.subtasks.flatMap((s) => s.state.map((h) => storage.readState(h))));
  let restored = 0;
  for (let subtask = 0; subtask < variant.parallelism; subtask++) {
    const backend = new HeapKeyedStateBackend({ keyGroupRange: keyGroupRangeForSubtask(subtask, variant.parallelism, variant.maxParallelism), maxParallelism: variant.maxParallelism });
    backend.restore(files);
    backend.getState(count);
    restored += backend.numKeys("count");
  }
  const ms = performance.now() - start;
  if (restored !== keys) throw new Error(`${variant.name}: restored ${restored} keys, expected ${keys}`);
  return ms;
}

const ratioSummary = (a: readonly number[], b: readonly number[]): Summary => summarize(a.map((x, i) => x / b[i]!));

export async function measureSavepoints(keys: number, rounds: number): Promise<SavepointRow> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-savepoints-"));
  try {
    const backends = filledBackends(keys);
    const storage = new FileCheckpointStorage({ root: join(dir, "checkpoints"), jobId: "bench-savepoints" });
    const checkpointMs: number[] = [];
    const savepointMs: number[] = [];
    let stateBytes = 0;
    let savepoint = "";
    let next = 1;
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 === 0 ? (["checkpoint", "savepoint"] as const) : (["savepoint", "checkpoint"] as const);
      for (const kind of order) {
        globalThis.gc?.();
        const id = checkpointId(next++);
        const start = performance.now();
        const { metadata, bytes } = await writeState(storage, backends, id);
        if (kind === "checkpoint") await storage.writeMetadata(metadata);
        else savepoint = await storage.writeSavepoint(metadata, join(dir, "savepoints"));
        const ms = performance.now() - start;
        stateBytes = bytes;
        if (kind === "checkpoint") await storage.discard(id);
        else if (round < rounds) rmSync(savepoint, { recursive: true, force: true });
        if (round > 0) (kind === "checkpoint" ? checkpointMs : savepointMs).push(ms);
      }
    }
    const restoreMs = RESTORES.map(() => [] as number[]);
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 === 0 ? RESTORES.map((_, i) => i) : RESTORES.map((_, i) => RESTORES.length - 1 - i);
      for (const i of order) {
        const ms = await restore(storage, savepoint, RESTORES[i]!, keys);
        if (round > 0) restoreMs[i]!.push(ms);
      }
    }
    const mbPerSecond = (ms: number): number => stateBytes / 1e6 / (ms / 1000);
    return {
      keys,
      stateBytes,
      checkpointMs: summarize(checkpointMs),
      savepointMs: summarize(savepointMs),
      savepointToCheckpoint: ratioSummary(savepointMs, checkpointMs),
      savepointMbPerSecondPerCore: mbPerSecond(summarize(savepointMs).median),
      restores: RESTORES.map((v, i) => ({
        variant: v.name,
        ms: summarize(restoreMs[i]!),
        mbPerSecondPerCore: mbPerSecond(summarize(restoreMs[i]!).median),
        ratioToSame: ratioSummary(restoreMs[i]!, restoreMs[0]!),
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeSavepointRow(row: SavepointRow): string {
  const ms = (v: number): string => v.toFixed(0);
  const ratio = (v: number): string => v.toFixed(2);
  const lines = [
    `${row.keys.toLocaleString("en")} keys, ${(row.stateBytes / 1e6).toFixed(1)} MB of state from 2 subtasks at max parallelism 128`,
    `  checkpoint ${formatSummary(row.checkpointMs, ms)} ms, savepoint ${formatSummary(row.savepointMs, ms)} ms` +
      ` (${row.savepointMbPerSecondPerCore.toFixed(0)} MB/s per core), savepoint / checkpoint ${formatSummary(row.savepointToCheckpoint, ratio)}`,
  ];
  for (const r of row.restores) {
    lines.push(`  restore ${r.variant.padEnd(9)} ${formatSummary(r.ms, ms).padEnd(18)} ms  ${r.mbPerSecondPerCore.toFixed(0).padStart(4)} MB/s per core  ratio to same ${formatSummary(r.ratioToSame, ratio)}`);
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const keys = (process.argv[2] ?? "1000000,10000000").split(",").map(Number);
  const rounds = Number(process.argv[3] ?? 5);
  const results = process.argv[4];
  console.log(`Savepoints and restores with rescaling, ${rounds} round(s) after a warm-up`);
  const rows: SavepointRow[] = [];
  for (const n of keys) {
    const row = await measureSavepoints(n, rounds);
    rows.push(row);
    console.log(describeSavepointRow(row));
  }
  if (results !== undefined) {
    mkdirSync(dirname(results), { recursive: true });
    writeFileSync(results, `${JSON.stringify({ measuredAt: new Date().toISOString(), rounds, rows }, null, 2)}\n`);
    console.log(`written: ${results}`);
  }
}
