import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { id } from "./checkpoint-fixtures.ts";
import {
  CheckpointPaths,
  checkpointDirName,
  encodeNameComponent,
  isTempFileName,
  isValidJobId,
  metadataFileIn,
  parseCheckpointDirName,
  savepointDir,
  stateFileName,
  tempFileFor,
} from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { WeirError } from "../../../src/core/errors.ts";

const invalidArgument = (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT";

describe("checkpoint paths: layout", () => {
  const paths = new CheckpointPaths("/data/checkpoints", "job-a");
  const owner = { operatorId: "counts", subtask: 2 };

  it("every path of a job lies under <root>/<jobId> in the documented place", () => {
    assert.equal(paths.jobDir, "/data/checkpoints/job-a");
    assert.equal(paths.checkpointDir(id(12)), "/data/checkpoints/job-a/chk-12");
    assert.equal(paths.metadataFile(id(12)), "/data/checkpoints/job-a/chk-12/_metadata");
    assert.equal(paths.stateFile(id(12), owner, "u1"), "/data/checkpoints/job-a/chk-12/counts-2-u1.state");
    assert.equal(paths.sharedDir, "/data/checkpoints/job-a/shared");
    assert.equal(paths.sharedStateFile(owner, "u2"), "/data/checkpoints/job-a/shared/counts-2-u2.state");
    assert.equal(paths.taskOwnedDir, "/data/checkpoints/job-a/taskowned");
    assert.equal(paths.taskOwnedStateFile(owner, "u3"), "/data/checkpoints/job-a/taskowned/counts-2-u3.state");
  });

  it("a savepoint directory is savepoint-<first six characters of the job id>-<unique> with _metadata inside", () => {
    const dir = savepointDir("/backups", "3f2a9c7be1d04e55", "5e0b1c2d3a4f");
    assert.equal(dir, "/backups/savepoint-3f2a9c-5e0b1c2d3a4f");
    assert.equal(metadataFileIn(dir), "/backups/savepoint-3f2a9c-5e0b1c2d3a4f/_metadata");
    assert.equal(savepointDir("/backups", "ab", "1"), "/backups/savepoint-ab-1");
    assert.throws(() => savepointDir("/backups", "ab", "../x"), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("a temp name sits beside its target, starts with a dot and ends in .tmp", () => {
    assert.equal(tempFileFor("/d/chk-1/_metadata", "3b1c"), "/d/chk-1/._metadata.3b1c.tmp");
    assert.equal(tempFileFor("/d/chk-1/op-0-u.state", "a-b-c"), "/d/chk-1/.op-0-u.state.a-b-c.tmp");
  });

  it("temp names are recognised, and no other name the layout makes is taken for one", () => {
    assert.ok(isTempFileName("._metadata.3b1c.tmp"));
    assert.ok(isTempFileName(".counts-2-u1.state.4f9a06a2-8c4e-4f55-9d1e-0d1f3c5b7a90.tmp"));
    for (const name of ["_metadata", "chk-1", "counts-2-u1.state", "shared", "taskowned", ".tmp", "x.tmp", ".x.tmp", "._metadata..tmp"]) {
      assert.ok(!isTempFileName(name), name);
    }
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.nat(), (operatorId, subtask) => {
        assert.ok(!isTempFileName(stateFileName({ operatorId, subtask }, "u")));
      }),
    );
  });

  it("suffixes that are not 1-64 of A-Z a-z 0-9 - are refused", () => {
    for (const unique of ["", "a/b", "a.b", "x".repeat(65), "ü"]) {
      assert.throws(() => paths.stateFile(id(1), owner, unique), invalidArgument, unique);
      assert.throws(() => tempFileFor("/d/f", unique), invalidArgument, unique);
    }
  });

  it("a subtask index that is not a non-negative integer is refused", () => {
    for (const subtask of [-1, 1.5, Number.NaN]) {
      assert.throws(() => paths.stateFile(id(1), { operatorId: "op", subtask }, "u"), invalidArgument, String(subtask));
    }
  });
});

describe("checkpoint paths: checkpoint directory names", () => {
  it("chk-<n> parses back to n for every checkpoint id", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        assert.equal(parseCheckpointDirName(checkpointDirName(id(n))), n);
      }),
    );
    assert.equal(parseCheckpointDirName("chk-1"), 1);
    assert.equal(parseCheckpointDirName("chk-42"), 42);
  });

  it("names that are not exactly chk-<n> in plain decimal are not checkpoint directories", () => {
    const rejected = ["chk-007", "chk-0", "chk-x", "chk-", "chk", "CHK-5", "chk-5.tmp", " chk-5", "chk-5 ", "chk--1", "chk-+1", "chk-1e3", "chk-0x1", "chk-99999999999999999999", "_metadata", "shared"];
    for (const name of rejected) assert.equal(parseCheckpointDirName(name), undefined, name);
  });

  it("checkpoint ids that are not positive safe integers are refused", () => {
    for (const n of [0, -3, 2.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      assert.throws(() => checkpointDirName(n as never), invalidArgument, String(n));
    }
  });
});

describe("checkpoint paths: job ids", () => {
  it("job ids are one safe directory name", () => {
    for (const jobId of ["job-a", "a.b_c", "3f2a9c7be1d04e55", "J", "x".repeat(128)]) assert.ok(isValidJobId(jobId), jobId);
    for (const jobId of ["", ".", "..", ".hidden", "-flag", "a/b", "a\\b", "a b", "ü", "x".repeat(129)]) {
      assert.ok(!isValidJobId(jobId), jobId);
      assert.throws(() => new CheckpointPaths("/r", jobId), invalidArgument, jobId);
    }
  });
});

describe("checkpoint paths: operator ids in file names", () => {
  const SAFE = /^[A-Za-z0-9_%~]{1,64}$/;

  it("odd operator ids are percent-encoded byte by byte", () => {
    assert.equal(encodeNameComponent("counts"), "counts");
    assert.equal(encodeNameComponent("word_count"), "word_count");
    assert.equal(encodeNameComponent("a/b"), "a%2Fb");
    assert.equal(encodeNameComponent(".."), "%2E%2E");
    assert.equal(encodeNameComponent("map#3"), "map%233");
    assert.equal(encodeNameComponent("a-b"), "a%2Db");
    assert.equal(encodeNameComponent("ü"), "%C3%BC");
    assert.equal(encodeNameComponent(""), "~");
  });

  it("any operator id becomes 1-64 safe characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (operatorId) => {
        assert.match(encodeNameComponent(operatorId), SAFE);
      }),
    );
  });

  it("distinct operator ids never share an encoding", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), fc.string({ unit: "binary", maxLength: 100 }), (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(encodeNameComponent(a), encodeNameComponent(b));
      }),
    );
    assert.notEqual(encodeNameComponent("%2F"), encodeNameComponent("/"));
    assert.notEqual(encodeNameComponent("~"), encodeNameComponent(""));
  });

  it("long operator ids sharing a prefix get distinct encodings that end in a hash", () => {
    const a = encodeNameComponent(`${"x".repeat(100)}a`);
    const b = encodeNameComponent(`${"x".repeat(100)}b`);
    assert.notEqual(a, b);
    assert.match(a, /^x{47}~[0-9a-f]{16}$/);
  });

  it("a long id is never cut inside a %XX escape", () => {
    for (let pad = 40; pad < 50; pad++) {
      const encoded = encodeNameComponent(`${"y".repeat(pad)}${"/".repeat(30)}`);
      const head = encoded.slice(0, encoded.indexOf("~"));
      assert.match(head, /^y*(%2F)*$/, encoded);
      assert.ok(encoded.length <= 64);
    }
  });
});
