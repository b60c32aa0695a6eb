import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ChannelItem } from "../../../src/runtime/network/channel-item.ts";
import { InputChannel, InputGate } from "../../../src/runtime/network/input-gate.ts";

function gate(n: number): { gate: InputGate; channels: InputChannel[] } {
  const channels = Array.from({ length: n }, (_, i) => new InputChannel(i, 0, () => {}));
  return { gate: new InputGate(channels), channels };
}

/** Polls as a task does: takes the head item of the channel the gate names. */
function take(g: InputGate): [number, ChannelItem] | undefined {
  const channel = g.poll();
  if (channel === undefined) return undefined;
  assert.ok(channel.queue.length > 0, "the gate named a channel with nothing queued");
  return [channel.id, channel.queue.shift()!];
}

describe("InputGate", () => {
  it("has no data until an item is pushed, and none after the last one is taken", () => {
    const { gate: g, channels } = gate(2);
    assert.equal(g.hasData, false);
    assert.equal(g.poll(), undefined);
    g.push(channels[1]!, [1]);
    assert.equal(g.hasData, true);
    assert.deepEqual(take(g), [1, [1]]);
    assert.equal(g.hasData, false);
  });

  it("serves channels with data round-robin, so a busy channel cannot starve the others", () => {
    const { gate: g, channels } = gate(3);
    for (const item of ["a1", "a2", "a3", "a4"]) g.push(channels[0]!, [item]);
    g.push(channels[1]!, ["b1"]);
    g.push(channels[2]!, ["c1"]);
    g.push(channels[2]!, ["c2"]);
    const order: string[] = [];
    for (let t = take(g); t !== undefined; t = take(g)) order.push((t[1] as string[])[0]!);
    assert.deepEqual(order, ["a1", "b1", "c1", "a2", "c2", "a3", "a4"]);
  });

  it("a channel that runs dry and receives again joins the back of the line", () => {
    const { gate: g, channels } = gate(3);
    g.push(channels[0]!, ["a1"]);
    g.push(channels[1]!, ["b1"]);
    g.push(channels[1]!, ["b2"]);
    assert.deepEqual(take(g), [0, ["a1"]]);
    g.push(channels[0]!, ["a2"]);
    g.push(channels[2]!, ["c1"]);
    const order = [take(g), take(g), take(g), take(g)].map((t) => t?.[0]);
    assert.deepEqual(order, [1, 0, 2, 1]);
  });

  it("in any interleaving of pushes and polls, each channel's items come out in order and none is lost or repeated", () => {
    const op = fc.oneof(fc.integer({ min: 0, max: 3 }).map((c) => ({ push: c })), fc.constant({ push: -1 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { gate: g, channels } = gate(4);
        const pushed: number[][] = [[], [], [], []];
        const taken: number[][] = [[], [], [], []];
        let next = 0;
        const drainOne = () => {
          const t = take(g);
          if (t !== undefined) taken[t[0]]!.push((t[1] as number[])[0]!);
          return t !== undefined;
        };
        for (const { push } of ops) {
          if (push < 0) drainOne();
          else {
            pushed[push]!.push(next);
            g.push(channels[push]!, [next++]);
          }
        }
        while (drainOne());
        assert.deepEqual(taken, pushed);
      }),
    );
  });

  it("while several channels hold data, no channel is served twice before each other one is served once", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }), (depths) => {
        const { gate: g, channels } = gate(depths.length);
        depths.forEach((d, c) => {
          for (let i = 0; i < d; i++) g.push(channels[c]!, [i]);
        });
        const order: number[] = [];
        for (let t = take(g); t !== undefined; t = take(g)) order.push(t[0]);
        // Round k serves, in channel order, every channel that still has a k-th item.
        const expected: number[] = [];
        for (let k = 0; k < Math.max(...depths); k++) depths.forEach((d, c) => k < d && expected.push(c));
        assert.deepEqual(order, expected);
      }),
    );
  });
});
