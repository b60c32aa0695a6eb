import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../../src/api/job-args.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { initialNatsSplits, NatsSplitEnumerator, type NatsStreamSplit } from "../../../src/connectors/nats/nats-stream-split.ts";
import type { SplitEnumeratorContext } from "../../../src/sources/split-source.ts";

const bounds = { firstSequence: 5, lastSequence: 40 };

describe("initialNatsSplits", () => {
  it("makes one split of the whole stream from its first message, unbounded", () => {
    assert.deepEqual(initialNatsSplits("ORDERS", undefined, "first", undefined, bounds), [{ splitId: "ORDERS", stream: "ORDERS", filter: null, next: 5, end: null }]);
  });

  it("makes one split per subject filter, from after the last message, ending where asked", () => {
    assert.deepEqual(initialNatsSplits("ORDERS", ["orders.eu", "orders.us"], "new", { sequence: 60 }, bounds), [
      { splitId: "ORDERS:orders.eu", stream: "ORDERS", filter: "orders.eu", next: 41, end: 60 },
      { splitId: "ORDERS:orders.us", stream: "ORDERS", filter: "orders.us", next: 41, end: 60 },
    ]);
  });

  it("a bounded source of an empty stream starts past its end, so it reads nothing", () => {
    const [split] = initialNatsSplits("E", undefined, "first", "latest", { firstSequence: 0, lastSequence: 0 });
    assert.deepEqual([split!.next, split!.end], [1, 0]);
  });
});

/** An enumerator context that records what the enumerator sends; `callAsync` runs when `settle` is called. */
function recordingContext(parallelism: number, registered: number[]) {
  const sent: string[] = [];
  let pending: (() => Promise<void>) | undefined;
  const context: SplitEnumeratorContext<NatsStreamSplit> = {
    currentParallelism: () => parallelism,
    registeredReaders: () => new Set(registered),
    assignSplits: (assignment) => {
      for (const [reader, splits] of assignment) sent.push(`${reader} <- ${splits.map((s) => s.splitId).join(",")}`);
    },
    assignSplit: (split, reader) => sent.push(`${reader} <- ${split.splitId}`),
    signalNoMoreSplits: (reader) => sent.push(`${reader} no more`),
    sendEventToSourceReader: () => {},
    callAsync: (callable, handler) => {
      pending = async () => {
        try {
          handler(await callable(), undefined);
        } catch (e) {
          handler(undefined, e);
        }
      };
    },
    args: new JobArgs(),
    clock: new ManualClock(),
  };
  return { context, sent, settle: () => pending!() };
}

describe("NatsSplitEnumerator", () => {
  const splits = initialNatsSplits("S", ["a", "b", "c"], "first", "latest", bounds);

  it("deals the resolved splits round-robin and then tells bounded readers that no more come", async () => {
    const { context, sent, settle } = recordingContext(2, [0]);
    const enumerator = new NatsSplitEnumerator(context, undefined, true, async () => splits);
    enumerator.start();
    assert.deepEqual(enumerator.snapshotState(), { unassigned: null }, "before the server answered, a restore must resolve the splits again");
    await settle();
    assert.deepEqual(sent, ["0 <- S:a,S:c", "1 <- S:b", "0 no more"]);
    enumerator.addReader(1);
    assert.deepEqual(sent.slice(3), ["1 no more"]);
    assert.deepEqual(enumerator.snapshotState(), { unassigned: [] });
  });

  it("an unbounded source never says no more splits", async () => {
    const { context, sent, settle } = recordingContext(2, [0, 1]);
    const enumerator = new NatsSplitEnumerator(context, undefined, false, async () => splits);
    enumerator.start();
    await settle();
    enumerator.addReader(0);
    assert.deepEqual(sent, ["0 <- S:a,S:c", "1 <- S:b"]);
  });

  it("restored with splits it had not dealt, it deals them without asking the server", () => {
    const { context, sent } = recordingContext(1, []);
    const enumerator = new NatsSplitEnumerator(context, { unassigned: [splits[1]!] }, true, () => Promise.reject(new Error("the server must not be asked")));
    enumerator.start();
    enumerator.addReader(0);
    assert.deepEqual(sent, ["0 <- S:b", "0 no more"]);
  });

  it("a failure to resolve the splits reaches the handler, which fails the job", async () => {
    const { context, settle } = recordingContext(1, []);
    const enumerator = new NatsSplitEnumerator(context, undefined, true, () => Promise.reject(new Error("down")));
    enumerator.start();
    await assert.rejects(settle(), /down/);
  });
});
