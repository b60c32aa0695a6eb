import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LocalStatePaths } from "../../../src/checkpoint/local/local-state-paths.ts";
import { readLocalCopy } from "../../../src/checkpoint/local/local-state-reader.ts";
import { checksumOf } from "../../../src/checkpoint/storage/checksum.ts";

const root = mkdtempSync(join(tmpdir(), "weir-local-reader-"));
after(() => rmSync(root, { recursive: true, force: true }));

const bytes = new TextEncoder().encode("the state of a subtask");
const handle = { path: "/storage/job/chk-3/count-0-abc.state", bytes: bytes.length, checksum: checksumOf(bytes) };
const owner = { operatorId: "count", subtask: 0 };

function placeCopy(paths: LocalStatePaths, content: Uint8Array): string {
  const path = paths.copyOf(owner, handle);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe("reading the local copy of a state file", () => {
  it("a copy with the length and checksum the checkpoint recorded is read", async () => {
    const paths = new LocalStatePaths(root, "job-sound");
    const path = placeCopy(paths, bytes);
    const read = await readLocalCopy(paths, owner, handle);
    assert.equal(read.kind, "local");
    assert.deepEqual(read.kind === "local" ? [...read.bytes] : [], [...bytes]);
    assert.equal(read.path, path);
  });

  it("a copy that was never written is missing", async () => {
    const read = await readLocalCopy(new LocalStatePaths(root, "job-missing"), owner, handle);
    assert.equal(read.kind, "missing");
  });

  it("a copy of the same length with other bytes is corrupt, with the checksums named", async () => {
    const paths = new LocalStatePaths(root, "job-flipped");
    const flipped = Uint8Array.from(bytes);
    flipped[3] ^= 0xff;
    placeCopy(paths, flipped);
    const read = await readLocalCopy(paths, owner, handle);
    assert.equal(read.kind, "corrupt");
    assert.match(read.kind === "corrupt" ? read.problem : "", /checksum/);
  });

  it("a truncated copy is corrupt", async () => {
    const paths = new LocalStatePaths(root, "job-truncated");
    placeCopy(paths, bytes.subarray(0, 5));
    const read = await readLocalCopy(paths, owner, handle);
    assert.equal(read.kind, "corrupt");
    assert.match(read.kind === "corrupt" ? read.problem : "", /truncated/);
  });

  it("copies of one job lie under <root>/<job id>/<operator>/<subtask>/, named as the storage's file", () => {
    const paths = new LocalStatePaths(root, "job-layout");
    assert.equal(paths.copyOf({ operatorId: "a/b", subtask: 2 }, handle), join(root, "job-layout", "a%2Fb", "2", "count-0-abc.state"));
  });
});
