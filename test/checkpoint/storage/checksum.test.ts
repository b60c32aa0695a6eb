import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checksumOf, checksumSteps } from "../../../src/checkpoint/storage/checksum.ts";

function run(steps: Generator<void, string, void>): { checksum: string; yields: number } {
  let yields = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { checksum: step.value, yields };
    yields++;
  }
}

describe("checksumSteps", () => {
  it("gives the checksum checksumOf gives, hashing one step's bytes between yields", () => {
    const data = new Uint8Array(10_000).map((_, i) => (i * 31) % 251);
    assert.deepEqual(run(checksumSteps(data, 1_000)), { checksum: checksumOf(data), yields: 9 });
    assert.deepEqual(run(checksumSteps(data, 3_000)), { checksum: checksumOf(data), yields: 3 });
    assert.deepEqual(run(checksumSteps(data)), { checksum: checksumOf(data), yields: 0 });
  });

  it("of no bytes is the checksum of no bytes, without a yield", () => {
    assert.deepEqual(run(checksumSteps(new Uint8Array(0), 1_000)), { checksum: checksumOf(new Uint8Array(0)), yields: 0 });
  });
});
