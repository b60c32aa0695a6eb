import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChangelogChain } from "../../src/state/changelog-chain.ts";

const policy = { maxChanges: 3, maxChangesRatio: 0.5 };

describe("ChangelogChain", () => {
  it("the first checkpoint writes a full snapshot, and the next ones reference it with their changes in order", () => {
    const chain = new ChangelogChain<string>(policy);
    assert.deepEqual(chain.plan(1, true), { kind: "full" });
    chain.started(1, "base-1", 1000);
    assert.deepEqual(chain.plan(2, true), { kind: "changes", materialize: false });
    chain.appended(2, "changes-2", 10);
    assert.deepEqual(chain.plan(3, true), { kind: "changes", materialize: false });
    chain.appended(3, "changes-3", 10);
    assert.deepEqual(chain.references(), ["base-1", "changes-2", "changes-3"]);
  });

  it("a backend that lost track of its changes (restored, migrated) starts a new chain with a full snapshot", () => {
    const chain = new ChangelogChain<string>(policy);
    chain.plan(1, true);
    chain.started(1, "base-1", 1000);
    assert.deepEqual(chain.plan(2, false), { kind: "full" });
    assert.deepEqual(chain.references(), []);
    chain.started(2, "base-2", 1000);
    assert.deepEqual(chain.references(), ["base-2"]);
  });

  it("a checkpoint whose changes were not written breaks the chain: the next one writes a full snapshot", () => {
    const chain = new ChangelogChain<string>(policy);
    chain.plan(1, true);
    chain.started(1, "base-1", 1000);
    chain.plan(2, true);
    chain.broken(2);
    assert.deepEqual(chain.plan(3, true), { kind: "full" });
  });

  it("after the policy's number of changes, a base is materialised once, and references drop what it holds once written", () => {
    const chain = new ChangelogChain<string>(policy);
    chain.plan(1, true);
    chain.started(1, "base-1", 1000);
    for (const id of [2, 3]) {
      assert.equal(chain.plan(id, true).kind, "changes");
      chain.appended(id, `changes-${id}`, 1);
    }
    assert.deepEqual(chain.plan(4, true), { kind: "changes", materialize: true });
    chain.appended(4, "changes-4", 1);
    // While it is written, checkpoints go on referencing the old base and every change since.
    assert.deepEqual(chain.plan(5, true), { kind: "changes", materialize: false });
    chain.appended(5, "changes-5", 1);
    assert.deepEqual(chain.references(), ["base-1", "changes-2", "changes-3", "changes-4", "changes-5"]);
    chain.materialized(4, "base-4", 1000);
    assert.deepEqual(chain.references(), ["base-4", "changes-5"]);
  });

  it("changes outweighing the base by the policy's ratio ask for a materialisation", () => {
    const chain = new ChangelogChain<string>(policy);
    chain.plan(1, true);
    chain.started(1, "base-1", 100);
    chain.plan(2, true);
    chain.appended(2, "changes-2", 60);
    assert.deepEqual(chain.plan(3, true), { kind: "changes", materialize: true });
  });

  it("the changes of a checkpoint a newer base already holds are not referenced", () => {
    const chain = new ChangelogChain<string>({ maxChanges: 1, maxChangesRatio: 1 });
    chain.plan(1, true);
    chain.started(1, "base-1", 100);
    assert.deepEqual(chain.plan(2, true), { kind: "changes", materialize: true });
    chain.materialized(2, "base-2", 100);
    chain.appended(2, "changes-2", 5);
    assert.deepEqual(chain.references(), ["base-2"]);
  });

  it("a materialisation that failed, or belongs to a chain since broken, changes nothing", () => {
    const chain = new ChangelogChain<string>({ maxChanges: 1, maxChangesRatio: 1 });
    chain.plan(1, true);
    chain.started(1, "base-1", 100);
    chain.plan(2, true);
    chain.appended(2, "changes-2", 5);
    chain.materialized(2);
    assert.deepEqual(chain.references(), ["base-1", "changes-2"]);
    assert.deepEqual(chain.plan(3, true), { kind: "changes", materialize: true });
    chain.broken(3);
    chain.plan(4, true);
    chain.started(4, "base-4", 100);
    chain.materialized(3, "base-3", 100);
    assert.deepEqual(chain.references(), ["base-4"]);
  });

  it("a base materialised at a checkpoint is not referenced by an older checkpoint still being written", () => {
    const chain = new ChangelogChain<string>(policy);
    chain.plan(1, true);
    chain.started(1, "base-1", 100);
    chain.plan(2, true);
    chain.appended(2, "changes-2", 60);
    // Checkpoint 3 is planned, and its changes are still being written when 4 materialises a base.
    assert.deepEqual(chain.plan(3, true), { kind: "changes", materialize: true });
    chain.materialized(3);
    assert.deepEqual(chain.plan(4, true), { kind: "changes", materialize: true });
    chain.materialized(4, "base-4", 100);
    chain.appended(3, "changes-3", 10);
    assert.deepEqual(chain.references(), ["base-1", "changes-2", "changes-3"], "checkpoint 3 holds the state as of 3, not of 4");
    chain.appended(4, "changes-4", 10);
    assert.deepEqual(chain.references(), ["base-4"]);
  });

  it("a base waiting for older checkpoints is dropped when one of them breaks the chain", () => {
    const chain = new ChangelogChain<string>({ maxChanges: 1, maxChangesRatio: 1 });
    chain.plan(1, true);
    chain.started(1, "base-1", 100);
    assert.deepEqual(chain.plan(2, true), { kind: "changes", materialize: true });
    chain.materialized(2);
    assert.deepEqual(chain.plan(3, true), { kind: "changes", materialize: true });
    chain.materialized(3, "base-3", 100);
    chain.broken(2);
    chain.appended(3, "changes-3", 5);
    assert.deepEqual(chain.references(), []);
    assert.deepEqual(chain.plan(4, true), { kind: "full" });
  });
});
