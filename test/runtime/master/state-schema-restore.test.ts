/**
 * State schema evolution through the real runtime: a job whose keyed state holds objects at
 * version 1 runs and checkpoints; the same job with the state at version 2 and a migrate function
 * resumes from that checkpoint with every key's state migrated, and its own checkpoints hold the
 * state at version 2. A version changed without a migration, a rollback to an older version and
 * another kind of state are refused before anything starts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runJob, type JobResult, type RuntimeMode } from "../../../src/index.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { findRestorePoint } from "../../../src/runtime/master/restore-point.ts";
import { storedStates } from "../../../src/runtime/master/stored-states.ts";
import { refusal, RUNTIMES, tempDir } from "../checkpointing/checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/schema-visits.ts", import.meta.url);

interface Emitted {
  readonly user: string;
  readonly count: number;
  readonly since?: number;
}

interface Run {
  readonly result: JobResult;
  /** The `chk-<n>` directory of the run's final checkpoint. */
  readonly checkpoint: string;
}

/**
 * Each run reads a new batch of visits (`--batch`), 30 unless told, 10 per user; resumed, the
 * finished source of the batch before is dropped with allowNonRestoredState.
 */
async function run(dir: string, runtime: RuntimeMode, args: readonly string[], from?: string): Promise<Run> {
  const restore = from === undefined ? { fresh: true } : { from, allowNonRestoredState: true };
  const result = await runJob(JOB, { runtime, parallelism: 2, checkpointing: { dir, intervalMs: 60_000 }, args, ...restore });
  const id = result.info.checkpoints!.latestCompleted!.id;
  return { result, checkpoint: join(dir, result.info.jobId, `chk-${id}`) };
}

/** The last record emitted per user. */
function lastPerUser(records: readonly Emitted[]): Map<string, Emitted> {
  return new Map(records.map((r) => [r.user, r]));
}


describe("state schema evolution across a restore", () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: a job resumed with its state at version 2 finds every key's version-1 state migrated, and counts on`, async () => {
      const dir = tempDir("schema-v2");
      const v1 = await run(dir, runtime, []);
      assert.deepEqual([...lastPerUser(v1.result.collected<Emitted>("out")).values()].map((r) => r.count), [10, 10, 10]);
      const v2 = await run(dir, runtime, ["--batch", "2", "--schema", "v2"], v1.checkpoint);
      const records = v2.result.collected<Emitted>("out");
      assert.equal(records.length, 30);
      for (const user of ["user-0", "user-1", "user-2"]) {
        const mine = records.filter((r) => r.user === user);
        assert.deepEqual(mine.sort((a, b) => a.count - b.count)[0], { user, count: 11, since: 0 }, "the first visit after the restore sees the migrated state");
        assert.deepEqual(mine.at(-1), { user, count: 20, since: 0 });
      }
    });
  }

  it("the upgraded job's checkpoint holds the state at version 2: a version-3 job migrates it from version 2 only", async () => {
    const dir = tempDir("schema-v3");
    const v1 = await run(dir, "single-thread", []);
    const v2 = await run(dir, "single-thread", ["--batch", "2", "--schema", "v2"], v1.checkpoint);
    const { metadata } = await findRestorePoint(v2.checkpoint, dir, "");
    const stored = await storedStates(metadata, new FileCheckpointStorage({ jobId: metadata.jobId, root: dir }));
    assert.deepEqual(stored.get("count-visits"), { keyed: [{ name: "visits", kind: "value", namespaced: false, versions: [2] }], operator: [] });
    const v3 = await run(dir, "single-thread", ["--batch", "3", "--count", "3", "--schema", "v3"], v2.checkpoint);
    assert.deepEqual(
      v3.result.collected<Emitted>("out").sort((a, b) => a.user.localeCompare(b.user)),
      ["user-0", "user-1", "user-2"].map((user) => ({ user, count: 21, since: -2 })),
    );
  });

  it("a version changed without a migration is refused before anything starts, naming operator, state and versions", async () => {
    const dir = tempDir("schema-no-migrate");
    const v1 = await run(dir, "single-thread", []);
    const error = await refusal(run(dir, "single-thread", ["--batch", "2", "--schema", "v2-no-migrate"], v1.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_MIGRATION_MISSING", error.message);
    for (const part of ["'count-visits'", "'visits'", "version 1", "version 2", "state version changed without a migration"]) assert.ok(error.message.includes(part), `${part} in: ${error.message}`);
  });

  it("a job rolled back to version 1 cannot restore state written at version 2", async () => {
    const dir = tempDir("schema-rollback");
    const v1 = await run(dir, "single-thread", []);
    const v2 = await run(dir, "single-thread", ["--batch", "2", "--schema", "v2"], v1.checkpoint);
    const error = await refusal(run(dir, "single-thread", ["--batch", "3"], v2.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_MIGRATION_MISSING", error.message);
    assert.match(error.message, /'visits' was written at version 2, newer than its descriptor's version 1/);
  });

  it("state asked for as another kind is refused before anything starts", async () => {
    const dir = tempDir("schema-kind");
    const v1 = await run(dir, "single-thread", []);
    const error = await refusal(run(dir, "single-thread", ["--batch", "2", "--schema", "map"], v1.checkpoint));
    assert.equal(error.code, "WEIR_ERR_STATE_CONFLICT", error.message);
    assert.match(error.message, /state kind changed +'count-visits' state 'visits': value state in the checkpoint, asked for as map state/);
  });
});
