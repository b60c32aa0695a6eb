/**
 * An operator's snapshot: what snapshotState returned, its timers and operator state come back as
 * structuredClone copies them, captured when the checkpoint's synchronous phase ran; what cannot be
 * written is refused naming the operator and path; older formats are still read; corrupt bytes
 * name their file.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { WeirError } from "../../src/core/errors.ts";
import { captureOperatorState, decodeOperatorSnapshot, encodeCapturedSnapshot, encodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { assertClonedFrom, valueShapes } from "../fixtures/value-shapes.ts";

describe("operator snapshots", () => {
  it("what snapshotState returned comes back as structuredClone copies it, for every shape", () => {
    const state = Object.fromEntries(valueShapes());
    const back = decodeOperatorSnapshot(encodeOperatorSnapshot({ keyed: undefined, timers: [[5, "k"]], state }), "test");
    assertClonedFrom(back.state, state, "operator state");
    assert.deepEqual(back.timers, [[5, "k"]]);
  });

  it("changes to the returned object after the capture do not reach the snapshot", () => {
    const pending = { transactions: new Map([["t1", { rows: 1 }]]) };
    const captured = captureOperatorState([], pending);
    pending.transactions.get("t1")!.rows = 2;
    pending.transactions.set("t2", { rows: 5 });
    const back = decodeOperatorSnapshot(encodeCapturedSnapshot(undefined, captured), "test").state as typeof pending;
    assert.deepEqual([...back.transactions], [["t1", { rows: 1 }]]);
  });

  it("a function in what snapshotState returned is refused, naming the operator and the path", () => {
    class Txn {
      constructor(
        readonly id: string,
        readonly onCommit: () => void,
      ) {}
    }
    assert.throws(
      () => captureOperatorState([], { open: [new Txn("a", () => undefined)] }, undefined, "operator 'sink'"),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && e.message.includes("operator 'sink'") && /value\.state\.open\[0\]\.onCommit a function/.test(e.message),
    );
  });

  it("class instances in what snapshotState returned come back as plain objects of their fields", () => {
    class Txn {
      constructor(
        readonly id: string,
        readonly rows: number,
      ) {}
    }
    const back = decodeOperatorSnapshot(encodeCapturedSnapshot(undefined, captureOperatorState([], { open: [new Txn("a", 2)] })), "test");
    assert.deepEqual(back.state, { open: [{ id: "a", rows: 2 }] });
  });

  it("a snapshot written in the previous format (operator snapshot format 2) is still read, with its keyed state", () => {
    const content = decodeOperatorSnapshot(readFileSync(new URL("../fixtures/state/main-operator-v2.bin", import.meta.url)), "test");
    assert.deepEqual(content.state, { position: 42, pending: ["txn-1"], since: new Date(1_700_000_000_000) });
    assert.deepEqual(content.timers, [[5000, "user-1"]]);
    const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 15 }, maxParallelism: 16 });
    backend.restore([content.keyed!]);
    backend.setCurrentKey("user-3");
    assert.equal(backend.getState(new ValueStateDescriptor<number>("counts")).value(), 30);
  });

  it("keyed state comes back byte for byte beside the captured state, whatever kind of byte array it was given as", () => {
    const captured = captureOperatorState([[7, "k"]], { position: 3 });
    const keyedStates = [new Uint8Array(0), Uint8Array.of(1, 2, 3), Buffer.from("keyed state bytes"), new Uint8Array(70_000).map((_, i) => i % 251), new Uint8Array(8).subarray(2, 6).fill(9)];
    for (const keyed of keyedStates) {
      const back = decodeOperatorSnapshot(encodeCapturedSnapshot(keyed, captured), "test");
      assert.deepEqual([...back.keyed!], [...keyed]);
      assert.deepEqual(back.timers, [[7, "k"]]);
      assert.deepEqual(back.state, { position: 3 });
    }
  });

  it("corrupt bytes are refused as corrupt state, naming the file", () => {
    const bytes = encodeOperatorSnapshot({ keyed: undefined, timers: [], state: { seen: new Map([["a", 1]]) } });
    const where = "operator 'counts' subtask 1 (chk-9/op-counts-1)";
    const corrupt = (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT" && e.message.includes("chk-9/op-counts-1");
    assert.throws(() => decodeOperatorSnapshot(bytes.subarray(0, bytes.length - 4), where), corrupt);
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 12] = 0xc1; // never used in MessagePack
    assert.throws(() => decodeOperatorSnapshot(damaged, where), corrupt);
    assert.throws(() => decodeOperatorSnapshot(new TextEncoder().encode("not a snapshot"), where), corrupt);
  });
});
