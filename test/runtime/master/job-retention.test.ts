import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkpointId } from "../../../src/checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { planStart } from "../../../src/runtime/master/job-retention.ts";

const checkpoint = (id: number) => ({ checkpointId: checkpointId(id) }) as CheckpointMetadata;

describe("planStart", () => {
  it("a run from scratch starts at checkpoint 1 and keeps nothing", () => {
    assert.deepEqual(planStart(undefined, false, undefined), { firstCheckpointId: 1, retained: [], cleanUpFirst: false });
  });

  it("a run resuming the newest checkpoint of its own directory keeps it, cleans up first, and continues its ids", () => {
    assert.deepEqual(planStart(checkpoint(7), true, checkpoint(7)), { firstCheckpointId: 8, retained: [7], cleanUpFirst: true });
  });

  it("a run resuming an older checkpoint of its own directory continues after the newest id there and deletes nothing up front", () => {
    assert.deepEqual(planStart(checkpoint(3), true, checkpoint(7)), { firstCheckpointId: 8, retained: [3], cleanUpFirst: false });
  });

  it("a checkpoint resumed from another directory is never kept for deletion by this run", () => {
    assert.deepEqual(planStart(checkpoint(3), false, undefined), { firstCheckpointId: 4, retained: [], cleanUpFirst: false });
    assert.deepEqual(planStart(checkpoint(3), false, checkpoint(5)), { firstCheckpointId: 6, retained: [], cleanUpFirst: false });
  });
});
