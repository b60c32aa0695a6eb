import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../../src/core/key-groups.ts";
import { NexmarkConfig, nexmarkEvent, type Bid } from "../../../src/index.ts";
import { OutgoingBatch, readBatch } from "../../../bench/queries/keyed-count-exchange.ts";
import { measureParallelBaseline } from "../../../bench/throughput.ts";

describe("the keyed count exchanging records between threads", () => {
  it("reads back every bid of a batch as it was sent, repeated strings and non-integer numbers included", () => {
    const config = new NexmarkConfig();
    const bids: Bid[] = [];
    for (let i = 0; bids.length < 256; i++) {
      const e = nexmarkEvent(i, config);
      if (e.kind === "bid") bids.push(e);
    }
    bids[3] = { ...bids[3]!, price: 12.5, channel: "Ünïcode-free but Latin-1 ÿ", extra: bids[2]!.extra };
    const batch = new OutgoingBatch();
    for (const bid of bids) batch.add(bid);
    const read: Bid[] = [];
    readBatch(batch.take(), (bid) => read.push(bid));
    assert.deepEqual(read, bids);
    assert.equal(batch.count, 0);
  });

  it("counts every bid once, on the thread that owns its auction", async () => {
    const events = 20_000;
    const config = new NexmarkConfig();
    const owned = [0, 0];
    for (let i = 0; i < events; i++) {
      const e = nexmarkEvent(i, config);
      if (e.kind === "bid") owned[subtaskForKeyGroup(assignToKeyGroup(e.auction, 128), 2, 128)]!++;
    }
    const run = await measureParallelBaseline("keyed-count", events, 2, true);
    assert.deepEqual(run.emittedPerThread, owned);
  });
});
