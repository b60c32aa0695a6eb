import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { planRetainOnCancel, planRetention, type CheckpointFacts } from "../../../src/checkpoint/storage/checkpoint-retention.ts";
import type { CheckpointStatus } from "../../../src/checkpoint/storage/checkpoint-storage.ts";
import { id, storageError } from "./checkpoint-fixtures.ts";

const facts = (...entries: [number, CheckpointStatus][]): CheckpointFacts[] => entries.map(([n, status]) => ({ checkpointId: id(n), status }));

const checkpointSets = fc
  .uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 25 })
  .chain((ids) => fc.tuple(fc.constant(ids), fc.array(fc.constantFrom<CheckpointStatus>("complete", "incomplete", "corrupt"), { minLength: ids.length, maxLength: ids.length })))
  .map(([ids, statuses]) => ids.map((n, i) => ({ checkpointId: id(n), status: statuses[i]! })));

describe("checkpoint retention", () => {
  it("the newest N complete checkpoints stay and older ones go", () => {
    const plan = planRetention(facts([1, "complete"], [2, "complete"], [3, "complete"], [4, "complete"]), 2);
    assert.deepEqual(plan, { discard: [1, 2], keepComplete: [3, 4] });
  });

  it("unfinished and corrupt checkpoints go when older than the newest complete one, and stay when newer", () => {
    const plan = planRetention(facts([5, "incomplete"], [1, "incomplete"], [2, "complete"], [3, "corrupt"], [4, "complete"], [6, "corrupt"]), 5);
    assert.deepEqual(plan, { discard: [1, 3], keepComplete: [2, 4] });
  });

  it("nothing goes while no checkpoint is complete", () => {
    assert.deepEqual(planRetention(facts([1, "incomplete"], [2, "corrupt"]), 1), { discard: [], keepComplete: [] });
  });

  it("a count below one, or not an integer, is refused", () => {
    for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => planRetention([], n), storageError("WEIR_ERR_INVALID_ARGUMENT"), String(n));
  });

  it("for any set of checkpoints: min(N, complete) stay, the newest complete one among them, and nothing at or above it goes", () => {
    fc.assert(
      fc.property(checkpointSets, fc.integer({ min: 1, max: 30 }), (checkpoints, n) => {
        const plan = planRetention(checkpoints, n);
        const complete = checkpoints.filter((c) => c.status === "complete").map((c) => c.checkpointId);
        const newest = Math.max(0, ...complete);
        assert.equal(plan.keepComplete.length, Math.min(n, complete.length));
        if (complete.length > 0) assert.ok(plan.keepComplete.includes(id(newest)));
        for (const discarded of plan.discard) {
          assert.ok(discarded < newest);
          assert.ok(!plan.keepComplete.includes(discarded));
        }
        const kept = checkpoints.filter((c) => !plan.discard.includes(c.checkpointId));
        assert.ok(kept.filter((c) => c.checkpointId < newest).every((c) => c.status === "complete"));
        assert.deepEqual([...plan.discard].sort((a, b) => a - b), plan.discard);
      }),
    );
  });

  it("cancelling with the retain policy discards every incomplete checkpoint and keeps the rest", () => {
    const plan = planRetainOnCancel(facts([3, "incomplete"], [1, "complete"], [2, "corrupt"], [4, "complete"], [5, "incomplete"]));
    assert.deepEqual(plan, { discard: [3, 5], keepComplete: [1, 4] });
  });
});
