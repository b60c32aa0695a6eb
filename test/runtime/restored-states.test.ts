/**
 * Loading a checkpoint's state for the subtasks a thread runs: operator state is redistributed
 * over the restoring operator's subtasks from what every subtask of it wrote, at the checkpoint's
 * parallelism or another one, while the operator's own state stays per subtask. Each file read is
 * reported with where it came from.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CHECKPOINT_FORMAT_VERSION, type CheckpointMetadata, type StateHandle } from "../../src/checkpoint/storage/checkpoint-metadata.ts";
import { checkpointId } from "../../src/checkpoint/storage/checkpoint-id.ts";
import { captureOperatorState, encodeCapturedSnapshot, encodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import { WeirError } from "../../src/core/errors.ts";
import { loadRestoredStates, rescaleSources, type RestoredFile } from "../../src/runtime/restored-states.ts";
import { LocalStatePaths } from "../../src/checkpoint/local/local-state-paths.ts";
import type { OperatorStateSnapshot } from "../../src/state/operator/operator-state-snapshot.ts";

const files = new Map<string, Uint8Array>();
const storage = { readState: (handle: StateHandle) => Promise.resolve(files.get(handle.path)!) };

function written(path: string, state: unknown, operatorState: OperatorStateSnapshot | undefined): StateHandle {
  files.set(path, encodeOperatorSnapshot({ keyed: undefined, timers: [], state, operatorState }));
  return { path, bytes: files.get(path)!.length, checksum: "0".repeat(64) };
}

const ofSubtask = (i: number, counts: number[]): OperatorStateSnapshot => ({
  lists: [
    ["counts", "split", counts],
    ["all", "union", [`from ${i}`]],
  ],
  broadcast: [["rules", [["r", `copy ${i}`]]]],
});

const metadata: CheckpointMetadata = {
  formatVersion: CHECKPOINT_FORMAT_VERSION,
  jobId: "job",
  checkpointId: checkpointId(7),
  triggeredAt: 1,
  completedAt: 2,
  jobFingerprint: "f",
  operators: [
    {
      operatorId: "counter",
      parallelism: 2,
      maxParallelism: 128,
      subtasks: [
        { subtask: 0, state: [written("c0", "own 0", ofSubtask(0, [1, 2, 3]))] },
        { subtask: 1, state: [written("c1", "own 1", ofSubtask(1, [4]))] },
      ],
    },
    { operatorId: "plain", parallelism: 2, maxParallelism: 128, subtasks: [{ subtask: 0, state: [written("p0", "plain 0", undefined)] }, { subtask: 1, state: [] }] },
  ],
};

describe("loadRestoredStates: operator state", () => {
  it("at the checkpoint's parallelism each subtask keeps its split elements, gets every union element, and its own broadcast copy", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["counter", 0, 2], ["counter", 1, 2]]);
    assert.deepEqual(lookup("counter", 0)!.operatorState, { lists: [["counts", "split", [1, 2, 3]], ["all", "union", ["from 0", "from 1"]]], broadcast: ofSubtask(0, []).broadcast });
    assert.deepEqual(lookup("counter", 1)!.operatorState, { lists: [["counts", "split", [4]], ["all", "union", ["from 0", "from 1"]]], broadcast: ofSubtask(1, []).broadcast });
    assert.equal(lookup("counter", 1)!.state, "own 1");
    assert.equal(lookup("counter", 1)!.checkpointId, 7);
  });

  it("at another parallelism the split elements are cut evenly and broadcast state is copied round the subtasks", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["counter", 0, 3], ["counter", 1, 3]]);
    assert.deepEqual(lookup("counter", 0)!.operatorState!.lists[0], ["counts", "split", [1, 2]]);
    assert.deepEqual(lookup("counter", 1)!.operatorState!.lists[0], ["counts", "split", [3]]);
    assert.deepEqual(lookup("counter", 1)!.operatorState!.broadcast, ofSubtask(1, []).broadcast);
  });

  it("at a higher parallelism a subtask the checkpoint has no state for still gets its part, and nothing of the old subtasks' own state", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["counter", 2, 3]]);
    const restored = lookup("counter", 2)!;
    assert.deepEqual(restored.operatorState!.lists[0], ["counts", "split", [4]]);
    assert.deepEqual(restored.operatorState!.lists[1], ["all", "union", ["from 0", "from 1"]]);
    assert.deepEqual(restored.operatorState!.broadcast, ofSubtask(0, []).broadcast, "new subtask 2 copies old subtask 2 mod 2");
    assert.equal(restored.state, undefined);
    assert.deepEqual(restored.keyed, []);
  });

  it("at another parallelism every subtask of an operator with state resumes, taking the own states of old subtasks j mod parallelism", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["plain", 0, 3], ["plain", 1, 3], ["plain", 2, 3]]);
    assert.deepEqual(lookup("plain", 0), { checkpointId: 7, keyed: [], keyedFrom: [], timers: [], state: undefined, states: ["plain 0"], operatorState: undefined });
    assert.deepEqual(lookup("plain", 1)?.states, []);
    assert.deepEqual(lookup("plain", 2)?.states, []);
    const merged = await loadRestoredStates(metadata, storage, [["plain", 0, 1]]);
    assert.deepEqual(merged("plain", 0)?.states, ["plain 0"]);
  });

  it("without a parallelism the checkpoint's is taken", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["counter", 1]]);
    assert.deepEqual(lookup("counter", 1)!.operatorState!.lists[0], ["counts", "split", [4]]);
  });

  it("an operator that wrote no operator state restores none, and a subtask that wrote nothing restores nothing", async () => {
    const lookup = await loadRestoredStates(metadata, storage, [["plain", 0, 2], ["plain", 1, 2]]);
    assert.equal(lookup("plain", 0)!.operatorState, undefined);
    assert.equal(lookup("plain", 0)!.state, "plain 0");
    assert.equal(lookup("plain", 1), undefined);
  });
});

describe("rescaleSources", () => {
  const keyed = {
    operatorId: "counts",
    parallelism: 2,
    maxParallelism: 128,
    subtasks: [
      { subtask: 0, state: [], keyGroupRange: { start: 0, end: 63 } },
      { subtask: 1, state: [], keyGroupRange: { start: 64, end: 127 } },
    ],
  };
  const subtasks = (entries: readonly { subtask: number }[]) => entries.map((e) => e.subtask);

  it("reads the keyed state of the old subtasks whose key groups overlap the new subtask's, and takes over the own state of old subtasks j mod parallelism", () => {
    assert.deepEqual(subtasks(rescaleSources(keyed, 0, 3, 128).keyed), [0]);
    assert.deepEqual(subtasks(rescaleSources(keyed, 1, 3, 128).keyed), [0, 1]);
    assert.deepEqual(subtasks(rescaleSources(keyed, 2, 3, 128).keyed), [1]);
    assert.deepEqual(subtasks(rescaleSources(keyed, 2, 3, 128).own), []);
    assert.deepEqual(subtasks(rescaleSources(keyed, 0, 1, 128).own), [0, 1]);
  });

  it("reads every old subtask's keyed state when the max parallelism changed, since any key may move anywhere", () => {
    assert.deepEqual(subtasks(rescaleSources(keyed, 0, 3, 256).keyed), [0, 1]);
    assert.deepEqual(subtasks(rescaleSources(keyed, 0, 2, 64).keyed), [0, 1]);
  });
});

describe("loadRestoredStates: channel state of unaligned checkpoints", () => {
  const channels = new Uint8Array([1, 2, 3]);
  files.set("h0", encodeCapturedSnapshot(undefined, captureOperatorState([], "head 0"), channels));
  const unaligned: CheckpointMetadata = {
    ...metadata,
    operators: [{ operatorId: "head", parallelism: 2, maxParallelism: 128, subtasks: [{ subtask: 0, state: [{ path: "h0", bytes: 1, checksum: "0".repeat(64) }] }] }],
  };

  it("at the checkpoint's parallelism a task's head gets its channel state back", async () => {
    const lookup = await loadRestoredStates(unaligned, storage, [["head", 0, 2, 128]]);
    assert.deepEqual(lookup("head", 0)?.channelState, channels);
    assert.equal(lookup("head", 0)?.state, "head 0");
  });

  it("at another parallelism a checkpoint with records in flight is refused with WEIR_ERR_UNALIGNED_RESCALE", async () => {
    await assert.rejects(loadRestoredStates(unaligned, storage, [["head", 0, 3, 128]]), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_UNALIGNED_RESCALE" && /checkpoint 7/.test(e.message));
  });
});

describe("loadRestoredStates: where each file came from", () => {
  files.set("inline0", encodeOperatorSnapshot({ keyed: undefined, timers: [], state: "position 0" }));
  const inline: StateHandle = { path: "inline0", bytes: files.get("inline0")!.length, checksum: "0".repeat(64), inline: Buffer.from(files.get("inline0")!).toString("base64") };
  const withInline: CheckpointMetadata = { ...metadata, operators: [{ operatorId: "source", parallelism: 1, maxParallelism: 128, subtasks: [{ subtask: 0, state: [inline] }] }] };

  for (const local of [undefined, new LocalStatePaths("/nonexistent-local-copies", "job")]) {
    it(`state kept inside _metadata is reported as inline, neither a local copy nor the storage (${local === undefined ? "without" : "with"} local recovery)`, async () => {
      const reported: RestoredFile[] = [];
      const lookup = await loadRestoredStates(withInline, storage, [["source", 0]], { ...(local === undefined ? {} : { local }), onFile: (file) => reported.push(file) });
      assert.equal(lookup("source", 0)?.state, "position 0");
      assert.deepEqual(reported, [{ operatorId: "source", subtask: 0, bytes: inline.bytes, source: "inline" }]);
    });
  }
});
