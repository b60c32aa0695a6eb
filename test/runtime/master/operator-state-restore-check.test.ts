/**
 * The compatibility check of operator states (split list, union list, broadcast) and of keyed
 * state asked for on a record, as a restore makes it before anything starts: a job checkpoints,
 * and a changed version of it resumes from that checkpoint (as `--from` does).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runJob, type JobResult } from "../../../src/index.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { findRestorePoint } from "../../../src/runtime/master/restore-point.ts";
import { storedStates } from "../../../src/runtime/master/stored-states.ts";
import { refusal, tempDir } from "../checkpointing/checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/operator-state-schemas.ts", import.meta.url);

interface Run {
  readonly result: JobResult;
  readonly checkpoint: string;
}

/** A run at parallelism 2 reading batch `--batch` (1 unless given); resumed, the finished sources of the batch before are dropped. */
async function run(dir: string, args: readonly string[], from?: string, allowNonRestoredState = true): Promise<Run> {
  const restore = from === undefined ? { fresh: true } : { from, allowNonRestoredState };
  const result = await runJob(JOB, { runtime: "single-thread", parallelism: 2, checkpointing: { dir, intervalMs: 3_600_000 }, args, ...restore });
  return { result, checkpoint: join(dir, result.info.jobId, `chk-${result.info.checkpoints!.latestCompleted!.id}`) };
}


/** The last total emitted per user ("u0,4" → u0: 4). */
function totals(result: JobResult): Record<string, number> {
  return Object.fromEntries(result.collected<string>("out").map((line) => line.split(",")).map(([user, total]) => [user!, Number(total)]));
}

async function operatorStatesOf(dir: string, checkpoint: string, operatorId: string): Promise<string[]> {
  const { metadata } = await findRestorePoint(checkpoint, dir, "");
  const stored = await storedStates(metadata, new FileCheckpointStorage({ jobId: metadata.jobId, root: dir }));
  return stored.get(operatorId)!.operator.map((s) => `${s.kind} ${s.name} v${s.versions.join(",")}`);
}

describe("restoring operator states and keyed state asked for on a record", () => {
  it("an unchanged job restores its list, union and broadcast states and counts on", async () => {
    const dir = tempDir("operator-state-restored");
    const v1 = await run(dir, []);
    assert.deepEqual(totals(v1.result), { u0: 4, u1: 4, u2: 4 });
    const v2 = await run(dir, ["--batch", "2"], v1.checkpoint);
    assert.deepEqual(totals(v2.result), { u0: 8, u1: 8, u2: 8 });
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "tagger"), ["split seen v1", "union instances v1"]);
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "apply-rules"), ["broadcast rules v1"]);
  });

  it("versions that grew with a migration are migrated: the states are written at version 2, the lazily asked total by its migrate", async () => {
    const dir = tempDir("operator-state-migrated");
    const v1 = await run(dir, []);
    const v2 = await run(dir, ["--batch", "2", "--version", "2", "--migrate"], v1.checkpoint);
    assert.deepEqual(totals(v2.result), { u0: 4004, u1: 4004, u2: 4004 });
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "tagger"), ["split seen v2", "union instances v2"]);
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "apply-rules"), ["broadcast rules v2"]);
  });

  it("versions changed without a migration are refused before anything starts, the lazily asked keyed state's too", async () => {
    const dir = tempDir("operator-state-no-migration");
    const v1 = await run(dir, []);
    const error = await refusal(run(dir, ["--batch", "2", "--version", "2"], v1.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_MIGRATION_MISSING", error.message);
    for (const state of ["'tagger' state 'seen'", "'tagger' state 'instances'", "'apply-rules' state 'rules'", "'totals' state 'totals'"]) {
      assert.ok(error.message.includes(`${state} was written at version 1 and its descriptor is at version 2`), `${state} in: ${error.message}`);
    }
  });

  it("states asked for as another kind are refused before anything starts", async () => {
    const dir = tempDir("operator-state-kinds");
    const v1 = await run(dir, []);
    const error = await refusal(run(dir, ["--batch", "2", "--kinds", "changed"], v1.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_CONFLICT", error.message);
    assert.match(error.message, /'tagger' state 'seen': operator list state in the checkpoint, asked for as union list state/);
    assert.match(error.message, /'apply-rules' state 'rules': broadcast state in the checkpoint, asked for as operator list state/);
  });

  it("new states start empty beside the restored ones", async () => {
    const dir = tempDir("operator-state-new");
    const v1 = await run(dir, []);
    const v2 = await run(dir, ["--batch", "2", "--extra"], v1.checkpoint);
    assert.deepEqual(totals(v2.result), { u0: 8, u1: 8, u2: 8 });
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "apply-rules"), ["broadcast rules v1", "broadcast limits v1"]);
  });

  it("states not inspected are kept in the next checkpoint; one asked for later at a version it cannot migrate from fails then", async () => {
    const dir = tempDir("operator-state-not-inspected");
    const v1 = await run(dir, []);
    const v2 = await run(dir, ["--batch", "2", "--unclaimed"], v1.checkpoint);
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "tagger"), ["split seen v1", "union instances v1"]);
    assert.deepEqual(await operatorStatesOf(dir, v2.checkpoint, "apply-rules"), ["broadcast rules v1", "broadcast rules-v2 v1"]);
    const error = await refusal(run(dir, ["--batch", "3", "--history-version", "2"], v2.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_MIGRATION_MISSING", error.message);
    assert.match(error.message, /'history'/);
  });

  it("operators with operator state that match none are dropped: refused unless allowed", async () => {
    const dir = tempDir("operator-state-dropped");
    const v1 = await run(dir, []);
    const error = await refusal(run(dir, ["--rename"], v1.checkpoint, false));
    assert.equal(error.code, "WEIR_ERR_UID_MISMATCH", error.message);
    assert.match(error.message, /'tagger': its state matches no operator[^]*'apply-rules': its state matches no operator/);
  });
});
