import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolvePointer } from "../../../src/checkpoint/storage/pointer-resolution.ts";
import { id } from "./checkpoint-fixtures.ts";

const noChildren = { kind: "directory", hasMetadata: false, checkpoints: [] } as const;

describe("pointer resolution", () => {
  it("a missing path is not found", () => {
    assert.deepEqual(resolvePointer("/x", { kind: "missing" }), { kind: "not-found", path: "/x", message: "no checkpoint at /x: nothing is there" });
  });

  it("a _metadata file is read, expecting the id of the chk directory it lies in", () => {
    assert.deepEqual(resolvePointer("/r/j/chk-4/_metadata", { kind: "file" }), { kind: "read-metadata", metadataPath: "/r/j/chk-4/_metadata", checkpointId: 4 });
    assert.deepEqual(resolvePointer("/sp/savepoint-ab-4/_metadata", { kind: "file" }), { kind: "read-metadata", metadataPath: "/sp/savepoint-ab-4/_metadata", checkpointId: undefined });
  });

  it("any other file is not found", () => {
    assert.equal(resolvePointer("/r/j/chk-4/op-0-u.state", { kind: "file" }).kind, "not-found");
  });

  it("a directory holding _metadata is read, whatever else it holds", () => {
    const facts = { kind: "directory", hasMetadata: true, checkpoints: [{ checkpointId: id(9), hasMetadata: true }] } as const;
    assert.deepEqual(resolvePointer("/r/j/chk-3", facts), { kind: "read-metadata", metadataPath: "/r/j/chk-3/_metadata", checkpointId: 3 });
  });

  it("a chk directory without _metadata is incomplete", () => {
    const decision = resolvePointer("/r/j/chk-3", noChildren);
    assert.equal(decision.kind, "incomplete");
    assert.equal(decision.kind === "incomplete" && decision.checkpointId, 3);
  });

  it("a job directory resolves to its newest checkpoint with _metadata, past newer incomplete ones", () => {
    const facts = {
      kind: "directory",
      hasMetadata: false,
      checkpoints: [
        { checkpointId: id(2), hasMetadata: true },
        { checkpointId: id(11), hasMetadata: false },
        { checkpointId: id(10), hasMetadata: true },
        { checkpointId: id(9), hasMetadata: true },
      ],
    } as const;
    assert.deepEqual(resolvePointer("/r/j", facts), { kind: "read-metadata", metadataPath: "/r/j/chk-10/_metadata", checkpointId: 10 });
  });

  it("a job directory with only incomplete checkpoints is incomplete, pointing at the newest and listing all", () => {
    const facts = { kind: "directory", hasMetadata: false, checkpoints: [{ checkpointId: id(7), hasMetadata: false }, { checkpointId: id(3), hasMetadata: false }] } as const;
    assert.deepEqual(resolvePointer("/r/j", facts), {
      kind: "incomplete",
      path: "/r/j/chk-7",
      checkpointId: 7,
      message: "no complete checkpoint under /r/j: chk-3, chk-7 have no _metadata file",
    });
  });

  it("a directory with neither _metadata nor chk directories is not found", () => {
    assert.equal(resolvePointer("/r/other", noChildren).kind, "not-found");
  });
});
