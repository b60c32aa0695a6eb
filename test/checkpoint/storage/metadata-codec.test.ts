import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkMetadata, type CheckpointMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { CheckpointCorruptError } from "../../../src/checkpoint/storage/checkpoint-storage-errors.ts";
import { decodeMetadata, encodeMetadata } from "../../../src/checkpoint/storage/metadata-codec.ts";
import { bytesOf, id, metadataWith, storageError } from "./checkpoint-fixtures.ts";

const PATH = "/r/job-a/chk-1/_metadata";
const handle = { path: "/r/job-a/chk-1/counts-0-u.state", bytes: 5, checksum: "a".repeat(64) };
const good = metadataWith("job-a", 1, [[handle], []]);

const REMOVE = Symbol("remove");

/** A copy of `good` in JSON form with the field at `path` (dot-separated, array indexes as numbers) set or removed. */
function edited(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
  const keys = path.split(".");
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return copy;
}

/** File bytes holding `metadata` under a correct checksum, whatever the metadata is. */
function fileWith(metadata: unknown): Uint8Array {
  const checksum = createHash("sha256").update(JSON.stringify(metadata)).digest("hex");
  return bytesOf(JSON.stringify({ format: "weir-checkpoint-metadata", checksum, metadata }));
}

function corrupt(reason: CheckpointCorruptError["reason"], ...fragments: string[]) {
  return (error: unknown) => {
    storageError("WEIR_ERR_CHECKPOINT_CORRUPT", PATH, ...fragments)(error);
    assert.equal((error as CheckpointCorruptError).reason, reason);
    return true;
  };
}

describe("checkpoint metadata: structure", () => {
  it("well-formed metadata passes the check", () => {
    assert.deepEqual(checkMetadata(good), { ok: true, metadata: good });
    assert.equal(checkMetadata({ ...good, properties: undefined, operators: [] }).ok, true);
  });

  const operator = good.operators[0]!;
  const cases: [string, string, unknown, string, RegExp][] = [
    ["a missing job id", "jobId", REMOVE, "jobId", /non-empty string, found nothing/],
    ["a job id that is not a safe name", "jobId", "../x", "jobId", /not a valid job id/],
    ["a checkpoint id of zero", "checkpointId", 0, "checkpointId", /positive integer/],
    ["a negative time", "triggeredAt", -1, "triggeredAt", /milliseconds/],
    ["completion before trigger", "completedAt", good.triggeredAt - 1, "completedAt", /before triggeredAt/],
    ["an empty fingerprint", "jobFingerprint", "", "jobFingerprint", /non-empty string/],
    ["operators that are not an array", "operators", {}, "operators", /expected an array/],
    ["an unknown top-level field", "sources", [], "sources", /not a field/],
    ["an unknown field deep inside", "operators.0.subtasks.0.extra", 1, "operators[0].subtasks[0].extra", /not a field/],
    ["parallelism above max parallelism", "operators.0.parallelism", 200, "operators[0].parallelism", /from 1 to 128/],
    ["max parallelism above the upper bound", "operators.0.maxParallelism", 40000, "operators[0].maxParallelism", /from 1 to 32768/],
    ["a subtask at parallelism", "operators.0.subtasks.1.subtask", 2, "operators[0].subtasks[1].subtask", /from 0 to 1/],
    ["a subtask listed twice", "operators.0.subtasks.1.subtask", 0, "operators[0].subtasks[1].subtask", /appears twice/],
    ["an operator listed twice", "operators.1", operator, "operators[1].operatorId", /appears twice/],
    ["a key-group range past max parallelism", "operators.0.subtasks.1.keyGroupRange.end", 128, "operators[0].subtasks[1].keyGroupRange.end", /from 64 to 127/],
    ["a reversed key-group range", "operators.0.subtasks.1.keyGroupRange", { start: 70, end: 65 }, "operators[0].subtasks[1].keyGroupRange.end", /from 70 to 127/],
    ["a state handle with a negative length", "operators.0.subtasks.0.state.0.bytes", -1, "operators[0].subtasks[0].state[0].bytes", /from 0/],
    ["a state handle with an upper-case checksum", "operators.0.subtasks.0.state.0.checksum", "A".repeat(64), "operators[0].subtasks[0].state[0].checksum", /64 lowercase hex/],
    ["a state handle without a path", "operators.0.subtasks.0.state.0.path", "", "operators[0].subtasks[0].state[0].path", /non-empty string/],
    ["state that is not a list", "operators.0.subtasks.0.state", null, "operators[0].subtasks[0].state", /expected an array, found null/],
    ["properties that are an array", "properties", [], "properties", /expected an object/],
    ["a property that is not finite", "properties.sourceOffsets", [1, Number.NaN], "properties.sourceOffsets[1]", /JSON value/],
  ];
  for (const [what, path, value, field, problem] of cases) {
    it(`${what} is named by its field`, () => {
      const check = checkMetadata(edited(path, value));
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.field, field);
      assert.match(!check.ok ? check.problem : "", problem);
    });
  }

  it("values that JSON cannot carry are refused in properties", () => {
    for (const value of [undefined, () => 1, 1n, new Date(0), new Map()]) {
      const check = checkMetadata({ ...good, properties: { value } });
      assert.equal(check.ok ? "ok" : check.field, "properties.value", String(value));
    }
  });

  it("metadata that is not an object is refused at the top level", () => {
    for (const value of [null, [], "metadata", 3]) {
      const check = checkMetadata(value);
      assert.equal(check.ok ? "ok" : check.field, "(top level)");
    }
  });
});

describe("checkpoint metadata: the file format", () => {
  it("metadata decodes to what was encoded", () => {
    assert.deepEqual(decodeMetadata(encodeMetadata(good), PATH), good);
  });

  it("optional fields set to undefined are dropped on encoding", () => {
    const withUndefined: CheckpointMetadata = {
      ...good,
      properties: undefined,
      operators: [{ ...good.operators[0]!, subtasks: [{ subtask: 0, state: [], keyGroupRange: undefined }] }],
    };
    const decoded = decodeMetadata(encodeMetadata(withUndefined), PATH);
    assert.ok(!("properties" in decoded));
    assert.ok(!("keyGroupRange" in decoded.operators[0]!.subtasks[0]!));
  });

  it("encoding refuses bad metadata with WEIR_ERR_INVALID_ARGUMENT naming the field", () => {
    assert.throws(() => encodeMetadata(edited("operators.0.maxParallelism", 0) as CheckpointMetadata), storageError("WEIR_ERR_INVALID_ARGUMENT", "operators[0].maxParallelism"));
  });

  it("an empty file is unparseable", () => {
    assert.throws(() => decodeMetadata(new Uint8Array(0), PATH), corrupt("unparseable", "empty"));
  });

  it("every truncation of a metadata file is detected", () => {
    const bytes = encodeMetadata(good);
    for (let length = 1; length < bytes.length - 1; length++) {
      assert.throws(() => decodeMetadata(bytes.subarray(0, length), PATH), CheckpointCorruptError, `truncated to ${length}`);
    }
  });

  it("bytes that are not UTF-8 are unparseable", () => {
    assert.throws(() => decodeMetadata(Uint8Array.of(0x7b, 0xff, 0x7d), PATH), corrupt("unparseable"));
  });

  it("JSON without the envelope is not metadata", () => {
    assert.throws(() => decodeMetadata(bytesOf("[1,2]"), PATH), corrupt("not-metadata", "not an object"));
    assert.throws(() => decodeMetadata(bytesOf(JSON.stringify(good)), PATH), corrupt("not-metadata", '"format"'));
    assert.throws(() => decodeMetadata(bytesOf('{"format":"weir-checkpoint-metadata","metadata":7}'), PATH), corrupt("not-metadata", '"metadata"'));
  });

  it("another format version is refused as incompatible before its checksum is looked at", () => {
    assert.throws(() => decodeMetadata(fileWith({ ...good, formatVersion: 2 }), PATH), storageError("WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION", PATH, "format version 2", "reads version 1"));
    const noVersion = edited("formatVersion", REMOVE);
    assert.throws(() => decodeMetadata(bytesOf(JSON.stringify({ format: "weir-checkpoint-metadata", checksum: "x", metadata: noVersion })), PATH), corrupt("format-version", "(none)"));
  });

  it("a changed field without a matching checksum fails the checksum", () => {
    const file = JSON.parse(new TextDecoder().decode(encodeMetadata(good))) as { metadata: { completedAt: number } };
    file.metadata.completedAt += 1;
    assert.throws(() => decodeMetadata(bytesOf(JSON.stringify(file)), PATH), corrupt("checksum", "records"));
  });

  it("a structurally wrong field under a correct checksum is invalid-field, naming it", () => {
    assert.throws(
      () => decodeMetadata(fileWith(edited("operators.0.subtasks.0.state.0.bytes", "5")), PATH),
      (error: unknown) => {
        corrupt("invalid-field", "operators[0].subtasks[0].state[0].bytes")(error);
        assert.equal((error as CheckpointCorruptError).field, "operators[0].subtasks[0].state[0].bytes");
        return true;
      },
    );
  });

  it("metadata of another checkpoint than expected is wrong-checkpoint", () => {
    assert.throws(() => decodeMetadata(encodeMetadata(good), PATH, id(2)), corrupt("wrong-checkpoint", "checkpoint 1, not 2"));
    assert.deepEqual(decodeMetadata(encodeMetadata(good), PATH, id(1)), good);
  });

  it("property names like __proto__ survive encoding as data", () => {
    const properties = JSON.parse('{"__proto__":{"polluted":true},"plain":1}') as Record<string, never>;
    const decoded = decodeMetadata(encodeMetadata({ ...good, properties }), PATH);
    assert.deepEqual(Object.keys(decoded.properties!), ["__proto__", "plain"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
