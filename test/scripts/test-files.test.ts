import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeResult, runTestFiles } from "../../scripts/test-files.mjs";

const FIXTURES = "test/fixtures/test-files";

describe("runTestFiles", () => {
  it("kills a file that never exits after its file timeout and names it as stalled, while the others pass", { timeout: 60_000 }, async () => {
    let output = "";
    const result = await runTestFiles([`${FIXTURES}/never-ends.mjs`, `${FIXTURES}/passes.mjs`], {
      nodeArgs: [],
      concurrency: 2,
      fileTimeoutMs: 3000,
      laneTimeoutMs: 50_000,
      write: (text: string) => void (output += text),
    });
    assert.deepEqual(result, { passed: [`${FIXTURES}/passes.mjs`], failed: [], stalled: [`${FIXTURES}/never-ends.mjs`], notRun: [] });
    assert.match(output, /# STALLED: test\/fixtures\/test-files\/never-ends\.mjs: still running 3 s after it started/);
    assert.match(describeResult(result), /1 passed, 0 failed, 1 stalled, 0 not run\n# {3}stalled: test\/fixtures\/test-files\/never-ends\.mjs/);
  });

  it("stops the lane at its limit, naming the file it killed and the files it did not start", { timeout: 60_000 }, async () => {
    const result = await runTestFiles([`${FIXTURES}/never-ends.mjs`, `${FIXTURES}/passes.mjs`], {
      nodeArgs: [],
      concurrency: 1,
      fileTimeoutMs: 50_000,
      laneTimeoutMs: 3000,
      write: () => {},
    });
    assert.deepEqual(result, { passed: [], failed: [], stalled: [`${FIXTURES}/never-ends.mjs`], notRun: [`${FIXTURES}/passes.mjs`] });
  });
});
