/**
 * Checkpoints taken by a running job, in both runtimes: a bounded job ends only after its final
 * checkpoint, so a committing sink holds every record once; checkpoints complete periodically
 * with per-task statistics; `_metadata` lists every operator's state per subtask; and functions
 * that listen to checkpoints hear every completed checkpoint, in increasing order.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { FileCheckpointStorage, isInlineState } from "../../../src/checkpoint/storage/index.ts";
import { checkpointId } from "../../../src/checkpoint/storage/checkpoint-id.ts";
import { keyGroupRangeForSubtask } from "../../../src/core/key-groups.ts";
import { SOURCE_SPLITS_STATE } from "../../../src/runtime/split-source-driver.ts";
import { ENUMERATORS_PROPERTY } from "../../../src/runtime/master/source-coordinator.ts";
import { decodeOperatorSnapshot } from "../../../src/runtime/operator-snapshot.ts";
import type { CheckpointStats, JobResult } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, countRunDirs, notifications, RUNTIMES, runCount, uncommittedFiles, type CountRunDirs } from "./checkpointing-helpers.ts";

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

for (const runtime of RUNTIMES) {
  describe(`checkpoints in a running job (${runtime})`, () => {
    /** A bounded run with no periodic checkpoint, only the final one; two tests look at it. */
    const bounded: { dirs?: CountRunDirs; result?: JobResult } = {};
    const events = 2001;
    before(async () => {
      bounded.dirs = countRunDirs("ck-final");
      bounded.result = await runCount(bounded.dirs, runtime, ["--events", String(events), "--keys", "7"], { checkpointing: { intervalMs: 60_000 }, maxParallelism: 32 });
    });

    it(`a bounded job ends only after its final checkpoint, and the committed output holds every record once (${runtime})`, () => {
      const { dirs, result } = bounded as Required<typeof bounded>;
      assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(events, 7)));
      assert.deepEqual(uncommittedFiles(dirs.out), [], "no part file is left in progress or pending");
      const checkpoints = result.info.checkpoints!;
      assert.deepEqual(checkpoints.counts, { triggered: 1, inProgress: 0, completed: 1, failed: 0 });
      const final = checkpoints.latestCompleted!;
      assert.equal(final.cause, "manual", "the one checkpoint is the final one, asked for when every source ended");
      assert.equal(final.acknowledgedTasks, 4);
    });

    it(`checkpoints complete periodically, each with per-task durations and bytes, and listeners hear each in order (${runtime})`, async () => {
      const dirs = countRunDirs("ck-periodic");
      const log = join(dirs.root, "notifications.log");
      const reported: CheckpointStats[] = [];
      // Three seconds of input, so that a loaded machine still completes two periodic checkpoints before the end.
      const count = 4500;
      const result = await runCount(dirs, runtime, ["--events", String(count), "--rate", "1500", "--log", log], {
        checkpointing: { intervalMs: 50 },
        onCheckpoint: (stats) => reported.push(stats),
      });
      assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(count, 10)));

      const completed = reported.filter((s) => s.status === "completed");
      const failedWhileRunning = reported.filter((s) => s.status !== "completed");
      assert.deepEqual(failedWhileRunning, [], "no checkpoint failed while the job ran");
      const ids = completed.map((s) => s.id as number);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "completions are reported in increasing id order");
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(completed.filter((s) => s.cause === "periodic").length >= 2, `periodic checkpoints completed: ${ids.join(", ")}`);
      assert.equal(completed.at(-1)!.cause, "manual", "the last checkpoint is the final one");

      for (const stats of completed) {
        assert.equal(stats.totalTasks, 4);
        assert.equal(stats.acknowledgedTasks, 4);
        assert.deepEqual(new Set(stats.tasks.map((t) => t.taskId)).size, 4, "every task acknowledged once");
        let bytes = 0;
        for (const task of stats.tasks) {
          for (const duration of [task.syncDurationMs, task.asyncDurationMs, task.alignmentDurationMs, task.endToEndMs]) {
            assert.ok(Number.isFinite(duration) && duration >= 0, `checkpoint ${stats.id} task ${task.taskId}: ${JSON.stringify(task)}`);
          }
          // Every task here has state: source positions, keyed counts, sink transactions.
          assert.ok(task.bytes > 0, `checkpoint ${stats.id} task ${task.taskId} wrote ${task.bytes} bytes`);
          bytes += task.bytes;
        }
        assert.equal(stats.bytes, bytes);
        assert.ok(stats.durationMs !== undefined && stats.durationMs >= 0);
      }
      const snapshot = result.info.checkpoints!;
      const stopped = reported.length - completed.length;
      assert.deepEqual(snapshot.counts, { triggered: ids.length + stopped, inProgress: 0, completed: ids.length, failed: stopped });
      assert.equal(snapshot.latestCompleted?.id, ids.at(-1));

      const heard = notifications(log);
      assert.deepEqual([...heard.keys()].sort(), [0, 1]);
      for (const [subtask, { complete, aborted }] of heard) {
        assert.deepEqual(complete, ids, `subtask ${subtask} hears every completed checkpoint once, in increasing order`);
        assert.deepEqual(aborted, []);
      }
    });

    it(`a checkpoint's _metadata lists every operator, its state per subtask, and key-group ranges for keyed operators (${runtime})`, async () => {
      const { dirs, result } = bounded as Required<typeof bounded>;
      const final = result.info.checkpoints!.latestCompleted!.id;
      const storage = new FileCheckpointStorage({ jobId: result.info.jobId, root: dirs.checkpoints });
      const metadata = await storage.readMetadata(checkpointId(final));
      assert.equal(metadata.jobId, result.info.jobId);
      assert.equal(metadata.checkpointId, final);
      assert.ok(metadata.triggeredAt <= metadata.completedAt);

      const ids = metadata.operators.map((o) => o.operatorId);
      assert.equal(ids.length, 4, `operators: ${ids.join(", ")}`);
      assert.deepEqual(ids.filter((id) => !id.startsWith("passthrough")), ["events", "count-per-key", "committed-lines"]);
      for (const operator of metadata.operators) {
        assert.equal(operator.parallelism, 2);
        assert.equal(operator.maxParallelism, 32);
      }
      const byId = new Map(metadata.operators.map((o) => [o.operatorId.startsWith("passthrough") ? "passthrough" : o.operatorId, o]));
      assert.deepEqual(byId.get("passthrough")!.subtasks, [], "a stateless operator has no state");

      for (const name of ["events", "count-per-key", "committed-lines"]) {
        const subtasks = byId.get(name)!.subtasks;
        assert.deepEqual(subtasks.map((s) => s.subtask), [0, 1], name);
        for (const s of subtasks) {
          assert.ok(s.state.length > 0, `${name} subtask ${s.subtask} has state`);
          for (const handle of s.state) {
            // Below the default memory threshold of 20 KiB the state is inside _metadata, with no file of its own.
            if (handle.bytes < 20 * 1024) {
              assert.ok(isInlineState(handle), `${handle.path} (${handle.bytes} bytes) is inline`);
              assert.equal(existsSync(handle.path), false, `no file was written for ${handle.path}`);
              assert.equal((await storage.readState(handle)).length, handle.bytes);
            } else assert.equal(statSync(handle.path).size, handle.bytes, handle.path);
          }
          if (name === "count-per-key") assert.deepEqual(s.keyGroupRange, keyGroupRangeForSubtask(s.subtask, 2, 32));
          else assert.equal(s.keyGroupRange, undefined, `${name} is not keyed`);
        }
      }

      // In the final checkpoint each source reader has read its splits to their end and holds none, and the enumerator has none left.
      const splits = await Promise.all(
        byId.get("events")!.subtasks.map(async (s) => decodeOperatorSnapshot(await storage.readState(s.state[0]!), "events").operatorState?.lists),
      );
      assert.deepEqual(splits, [
        [[SOURCE_SPLITS_STATE, "split", []]],
        [[SOURCE_SPLITS_STATE, "split", []]],
      ]);
      assert.deepEqual(metadata.properties?.[ENUMERATORS_PROPERTY], { events: { unassigned: [] } });
    });
  });
}
