import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { END_OF_PARTITION, isBatch, type ChannelItem } from "../../../src/runtime/network/channel-item.ts";
import { OutputChannel } from "../../../src/runtime/network/output-channel.ts";

function channel(credits: number): { channel: OutputChannel; sent: ChannelItem[] } {
  const sent: ChannelItem[] = [];
  return { channel: new OutputChannel(7, credits, (item) => sent.push(item)), sent };
}

describe("OutputChannel", () => {
  it("sends a batch at once while it has credit, one credit per batch", () => {
    const { channel: c, sent } = channel(2);
    c.send([1]);
    c.send(new Uint8Array([2]));
    assert.deepEqual(sent, [[1], new Uint8Array([2])]);
    assert.equal(c.backlogged, false);
    c.send([3]);
    assert.deepEqual(sent.length, 2);
    assert.equal(c.backlogged, true);
  });

  it("holds a batch sent without credit until credit is added", () => {
    const { channel: c, sent } = channel(0);
    c.send(["a"]);
    assert.deepEqual(sent, []);
    assert.equal(c.backlogged, true);
    c.addCredits(1);
    assert.deepEqual(sent, [["a"]]);
    assert.equal(c.backlogged, false);
  });

  it("sends an event without credit when nothing waits before it", () => {
    const { channel: c, sent } = channel(0);
    c.send(END_OF_PARTITION);
    assert.deepEqual(sent, [END_OF_PARTITION]);
    assert.equal(c.backlogged, false);
  });

  it("never lets an event overtake a batch waiting for credit", () => {
    const { channel: c, sent } = channel(0);
    c.send(["first"]);
    c.send(END_OF_PARTITION);
    assert.deepEqual(sent, []);
    c.addCredits(1);
    assert.deepEqual(sent, [["first"], END_OF_PARTITION]);
  });

  it("added credits drain the backlog in order, as far as they reach", () => {
    const { channel: c, sent } = channel(0);
    c.send([1]);
    c.send([2]);
    c.send(END_OF_PARTITION);
    c.send([3]);
    c.addCredits(2);
    assert.deepEqual(sent, [[1], [2], END_OF_PARTITION]);
    assert.equal(c.backlogged, true);
    c.addCredits(5);
    assert.deepEqual(sent, [[1], [2], END_OF_PARTITION, [3]]);
    c.send([4]);
    assert.deepEqual(sent.at(-1), [4], "credit left over is used by later batches");
  });

  it("in any sequence of sends and grants, items leave in order and batches never exceed the credits granted", () => {
    type Step = { readonly kind: "batch" } | { readonly kind: "event" } | { readonly kind: "credit"; readonly n: number };
    const step = fc.oneof(
      fc.constant<Step>({ kind: "batch" }),
      fc.constant<Step>({ kind: "event" }),
      fc.integer({ min: 1, max: 3 }).map((n): Step => ({ kind: "credit", n })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(step, { maxLength: 60 }), (initial, steps) => {
        const { channel: c, sent } = channel(initial);
        const offered: ChannelItem[] = [];
        let credits = initial;
        for (const s of steps) {
          if (s.kind === "credit") {
            credits += s.n;
            c.addCredits(s.n);
          } else {
            const item: ChannelItem = s.kind === "batch" ? [offered.length] : { kind: "end-of-partition" };
            offered.push(item);
            c.send(item);
          }
          // What left is a prefix of what was offered, as long as credit allowed: the next item
          // held back is a batch with no credit for it.
          assert.deepEqual(sent, offered.slice(0, sent.length));
          const batchesSent = sent.filter(isBatch).length;
          assert.ok(batchesSent <= credits);
          if (sent.length < offered.length) {
            assert.ok(isBatch(offered[sent.length]!) && batchesSent === credits);
            assert.equal(c.backlogged, true);
          } else assert.equal(c.backlogged, false);
        }
      }),
    );
  });
});
