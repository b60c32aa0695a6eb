import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkpointMessageId, duplicateWindowProblem } from "../../../src/connectors/nats/duplicate-window.ts";

describe("duplicateWindowProblem", () => {
  it("accepts a window longer than the checkpoint interval plus the restart time", () => {
    assert.equal(duplicateWindowProblem({ windowMs: 120_000, checkpointIntervalMs: 60_000, restartTimeMs: 30_000 }), undefined);
  });

  it("refuses a window equal to the sum, saying what to raise it above", () => {
    const problem = duplicateWindowProblem({ windowMs: 90_000, checkpointIntervalMs: 60_000, restartTimeMs: 30_000 });
    assert.match(problem ?? "", /duplicate window \(90000 ms\) does not exceed the checkpoint interval \(60000 ms\) plus the restart time \(30000 ms\) = 90000 ms/);
    assert.match(problem ?? "", /raise the stream's duplicate_window above 90000 ms/);
  });
});

describe("checkpointMessageId", () => {
  it("is the same for the same run, subtask, checkpoint and index, and differs when any of them does", () => {
    const id = checkpointMessageId("r", 1, 7, 3);
    assert.equal(id, checkpointMessageId("r", 1, 7, 3));
    const others = [checkpointMessageId("s", 1, 7, 3), checkpointMessageId("r", 2, 7, 3), checkpointMessageId("r", 1, 8, 3), checkpointMessageId("r", 1, 7, 4)];
    for (const other of others) assert.notEqual(other, id);
    // Numbers are separated, so subtask 1 at checkpoint 17 is not subtask 11 at checkpoint 7.
    assert.notEqual(checkpointMessageId("r", 1, 17, 0), checkpointMessageId("r", 11, 7, 0));
  });
});
