import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../../src/core/key-groups.ts";
import { NexmarkConfig, nexmarkEvent, type Bid } from "../../../src/index.ts";
import { OutgoingBatch, readBatch } from "../../../bench/queries/keyed-count-exchange.ts";

const BOOT = new URL("../../../bench/baseline-boot.mjs", import.meta.url);

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
    const { port1, port2 } = new MessageChannel();
    const ports: (MessagePort | undefined)[][] = [
      [undefined, port1],
      [port2, undefined],
    ];
    const workers = [0, 1].map(
      (offset) => new Worker(BOOT, { workerData: { query: "keyed-count", events, offset, stride: 2, warmUpEvents: 1_000, ports: ports[offset] }, transferList: [offset === 0 ? port1 : port2] }),
    );
    const reply = (worker: Worker): Promise<unknown> =>
      new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    try {
      await Promise.all(workers.map(reply));
      const runs = (await Promise.all(
        workers.map((worker) => {
          const done = reply(worker);
          worker.postMessage("go");
          return done;
        }),
      )) as { emitted: number }[];
      assert.deepEqual(
        runs.map((r) => r.emitted),
        owned,
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  });
});
