/**
 * The disk backend filled with many keys under incremental checkpoints, without a job around it:
 * what a counting subtask of the keyed-state job does during its fill. `--keys` keys are written
 * once (a count per key), `--per-turn` of them per turn of the event loop; every `--per-checkpoint`
 * keys (unless the previous checkpoint is still being written) a checkpoint takes the changes since the previous one through KeyedChangelogs (the task's
 * incremental checkpoints, materialisations in the background included) and writes them. Shared
 * files are kept as their sizes only.
 *
 *   node --import tsx bench/state/disk-backend-fill.ts [--keys 2000000] [--per-checkpoint 10000] [--per-turn 2048] [--rounds 3]
 *
 * Per round the two materialisation policies alternate: the heap backend's (DEFAULT_MATERIALIZATION_POLICY,
 * which the disk backend used before it had its own) and the disk backend's
 * (DISK_MATERIALIZATION_POLICY). The figure is the process's CPU time per key, over each fifth of
 * the fill and over all of it (a shared machine changes CPU time least), with the bases
 * materialised; the ratio disk / default is taken within each round.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { StateHandle } from "../../src/checkpoint/storage/checkpoint-metadata.ts";
import { KeyedChangelogs } from "../../src/runtime/keyed-changelogs.ts";
import { DEFAULT_MATERIALIZATION_POLICY, type MaterializationPolicy } from "../../src/state/changelog-chain.ts";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { DiskKeyedStateBackend } from "../../src/state/disk/disk-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";
import { formatSummary, ratios, summarize, table } from "../stats.ts";

const { values: flags } = parseArgs({ options: { keys: { type: "string" }, "per-checkpoint": { type: "string" }, "per-turn": { type: "string" }, rounds: { type: "string" } } });
const KEYS = Number(flags.keys ?? 2_000_000);
const PER_CHECKPOINT = Number(flags["per-checkpoint"] ?? 10_000);
const PER_TURN = Number(flags["per-turn"] ?? 2048);
const ROUNDS = Number(flags.rounds ?? 3);
const PARTS = 5;
/** As many key groups as one subtask of the keyed-state job holds at parallelism 2 (half of 128). */
const OPTIONS = { keyGroupRange: { start: 0, end: 63 }, maxParallelism: 64, changelog: true };

/** The disk backend with the heap backend's materialisation policy: the code before the disk backend had its own. */
class DiskWithDefaultPolicy extends DiskKeyedStateBackend {
  override readonly materializationPolicy: MaterializationPolicy = DEFAULT_MATERIALIZATION_POLICY;
}

interface Fill {
  /** CPU µs per key over each fifth of the fill. */
  parts: number[];
  total: number;
  bases: number;
  checkpoints: number;
}

const cpuMicros = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

async function writeInTurns(snapshot: KeyedStateSnapshot): Promise<Uint8Array> {
  const steps = snapshot.write();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await nextTurn();
  }
}

async function fill(backend: DiskKeyedStateBackend): Promise<Fill> {
  const count = backend.getState(new ValueStateDescriptor<number>("count"));
  let files = 0;
  let bases = 0;
  const writeShared = async (bytes: Uint8Array, checksum?: string): Promise<StateHandle> => {
    if (checksum !== undefined) bases++;
    return { path: `shared/${files++}`, bytes: bytes.length, checksum: checksum ?? "" };
  };
  const changelogs = new KeyedChangelogs(() => nextTurn(), (keyed) => keyed);
  const parts: number[] = [];
  const started = cpuMicros();
  let partStarted = started;
  let checkpointId = 0;
  let writing = false;
  const phases: Promise<void>[] = [];
  for (let key = 0; key < KEYS; ) {
    const end = Math.min(KEYS, key + PER_TURN);
    for (; key < end; key++) {
      backend.setCurrentKey(key);
      count.update((count.value() ?? 0) + 1);
      // As the coordinator with one checkpoint at a time: none is taken while the previous one is written.
      if ((key + 1) % PER_CHECKPOINT === 0 && !writing) {
        const { keyed, link } = changelogs.snapshot("count-per-key", backend, ++checkpointId, writeShared);
        writing = true;
        phases.push(changelogs.inOrder(async () => void (await changelogs.persist(link, await writeInTurns(keyed), writeShared))).finally(() => (writing = false)));
      }
      if ((key + 1) % (KEYS / PARTS) === 0) {
        const now = cpuMicros();
        parts.push((now - partStarted) / (KEYS / PARTS));
        partStarted = now;
      }
    }
    await nextTurn();
  }
  await Promise.all(phases);
  const total = (cpuMicros() - started) / KEYS;
  await changelogs.stop();
  backend.dispose();
  return { parts, total, bases, checkpoints: checkpointId };
}

const before: Fill[] = [];
const after: Fill[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const b = await fill(new DiskWithDefaultPolicy(OPTIONS));
  const a = await fill(new DiskKeyedStateBackend(OPTIONS));
  process.stderr.write(`round ${r}: default policy ${JSON.stringify(b)}, disk policy ${JSON.stringify(a)}\n`);
  before.push(b);
  after.push(a);
}

const us = (v: number): string => `${v.toFixed(2)} µs`;
const row = (name: string, fills: Fill[]): string[] => [
  name,
  ...Array.from({ length: PARTS }, (_, i) => formatSummary(summarize(fills.map((f) => f.parts[i]!)), us)),
  formatSummary(summarize(fills.map((f) => f.total)), us),
  formatSummary(summarize(fills.map((f) => f.bases)), (v) => v.toFixed(0)),
];
console.log(`${KEYS.toLocaleString("en")} keys, a checkpoint every ${PER_CHECKPOINT.toLocaleString("en")}, ${ROUNDS} rounds alternating (median and spread; process CPU time per key)`);
console.log(
  table(
    ["policy", ...Array.from({ length: PARTS }, (_, i) => `fifth ${i + 1}`), "whole fill", "bases written"],
    [
      row("default (before)", before),
      row("disk (after)", after),
      ["disk / default", ...Array.from({ length: PARTS }, (_, i) => formatSummary(summarize(ratios(after.map((f) => f.parts[i]!), before.map((f) => f.parts[i]!))), (v) => v.toFixed(3))), formatSummary(summarize(ratios(after.map((f) => f.total), before.map((f) => f.total))), (v) => v.toFixed(3)), ""],
    ],
  ),
);
