import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../../src/core/errors.ts";
import { BatchCodec } from "../../../src/runtime/network/batch-codec.ts";
import { batchItem, captureBatch, decodeChannelState, encodeChannelState, inFlightBytes, type InFlightBatch } from "../../../src/runtime/network/channel-state.ts";
import { InFlightRecorder } from "../../../src/runtime/network/in-flight-recorder.ts";
import { InputChannel, InputGate } from "../../../src/runtime/network/input-gate.ts";
import type { ChannelItem } from "../../../src/runtime/network/channel-item.ts";
import type { CheckpointBarrier } from "../../../src/runtime/barriers/barrier.ts";

const codec = new BatchCodec();
const records = (batch: InFlightBatch): unknown[] => codec.decode(batch.records);
const barrier = (checkpointId: number): CheckpointBarrier => ({ kind: "barrier", checkpointId, timestamp: 0, alignedTimeoutMs: 0 });

describe("channel state", () => {
  it("a captured batch is a copy: records changed in place afterwards do not reach it", () => {
    const batch = [{ n: 1 }, { n: 2 }];
    const captured = captureBatch(batch, codec)!;
    batch[0]!.n = 99;
    assert.deepEqual(records(captured), [{ n: 1 }, { n: 2 }]);
  });

  it("round-trips input and output batches with their timestamps, in order", () => {
    const stamps = new Float64Array([5, Number.NaN]);
    const state = {
      inputs: [{ channel: 1, batches: [captureBatch([{ a: 1 }], codec)!, captureBatch({ kind: "timestamped", records: ["x", "y"], timestamps: stamps }, codec)!] }],
      outputs: [{ writer: 0, channel: 2, batches: [captureBatch(codec.encode([7, 8]), codec)!] }],
    };
    const back = decodeChannelState(encodeChannelState(state), "test");
    assert.equal(back.inputs.length, 1);
    assert.equal(back.inputs[0]!.channel, 1);
    assert.deepEqual(records(back.inputs[0]!.batches[0]!), [{ a: 1 }]);
    const timestamped = batchItem(back.inputs[0]!.batches[1]!) as { kind: string; timestamps: Float64Array };
    assert.equal(timestamped.kind, "timestamped");
    assert.deepEqual([...timestamped.timestamps], [5, Number.NaN]);
    assert.deepEqual(records(back.outputs[0]!.batches[0]!), [7, 8]);
    assert.equal(inFlightBytes(back), inFlightBytes(state));
  });

  it("an unreadable channel state fails with WEIR_ERR_STATE_CORRUPT", () => {
    assert.throws(() => decodeChannelState(new Uint8Array([0xc1]), "operator 'x'"), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT");
  });
});

describe("InFlightRecorder", () => {
  function gate() {
    const channels = [new InputChannel(0, 0, () => {}), new InputChannel(1, 0, () => {})];
    return { gate: new InputGate(channels), channels };
  }

  it("records each channel's queue up to its barrier, and later arrivals until the barrier arrives", () => {
    const { gate: g, channels } = gate();
    g.push(channels[0]!, ["a1"]);
    g.push(channels[0]!, barrier(3));
    g.push(channels[0]!, ["a2"]);
    g.push(channels[1]!, ["b1"]);
    const recorder = new InFlightRecorder(3, codec, g, new Set());
    assert.deepEqual(
      channels[0]!.queue.map((i: ChannelItem) => (Array.isArray(i) ? i[0] : (i as { kind: string }).kind)),
      ["a1", "a2"],
      "the barrier left the queue; the records stay to be processed",
    );
    assert.equal(recorder.recordingAny, true);
    assert.equal(recorder.onArrival(channels[1]!, ["b2"]), false);
    assert.equal(recorder.onArrival(channels[1]!, barrier(3)), true, "the barrier is kept out of the queue");
    assert.equal(recorder.onArrival(channels[1]!, ["b3"]), false);
    assert.equal(recorder.recordingAny, false);
    const state = recorder.state();
    assert.deepEqual(state[0]!.batches.map(records), [["a1"]]);
    assert.deepEqual(state[1]!.batches.map(records), [["b1"], ["b2"]]);
  });

  it("channels that delivered the barrier in position hold nothing in flight", () => {
    const { gate: g, channels } = gate();
    g.push(channels[0]!, ["after the barrier"]);
    const recorder = new InFlightRecorder(1, codec, g, new Set([0]));
    assert.deepEqual(recorder.state()[0]!.batches, []);
  });
});
