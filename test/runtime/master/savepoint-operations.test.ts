import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SavepointOperations } from "../../../src/runtime/master/savepoint-operations.ts";

describe("SavepointOperations", () => {
  it("reports an operation in progress until it is settled once, and counts it unread until read", () => {
    const operations = new SavepointOperations();
    const id = operations.start();
    assert.deepEqual(operations.get(id), { status: "in-progress" });
    assert.equal(operations.unreadCount, 0);
    operations.settle(id, { ok: true, location: "/sp/savepoint-job-20-ab", checkpointId: 4 });
    operations.settle(id, { ok: false, cause: "too late" });
    assert.equal(operations.unreadCount, 1);
    assert.deepEqual(operations.get(id), { status: "completed", location: "/sp/savepoint-job-20-ab", checkpointId: 4 });
    assert.equal(operations.unreadCount, 0);
  });

  it("keeps the newest settled operations only, never one in progress", () => {
    let n = 0;
    const operations = new SavepointOperations(2, () => `t${n++}`);
    const running = operations.start();
    const settled = [operations.start(), operations.start(), operations.start()];
    for (const id of settled) operations.settle(id, { ok: false, cause: id });
    assert.equal(operations.get(settled[0]!), undefined);
    assert.deepEqual(operations.get(settled[2]!), { status: "failed", cause: "t3" });
    assert.deepEqual(operations.get(running), { status: "in-progress" });
  });
});
