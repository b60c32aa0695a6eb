import { RecordTimestamp } from "../../../src/runtime/record-timestamp.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import { assignToKeyGroup, keyGroupRangeForSubtask } from "../../../src/core/key-groups.ts";
import type { Partitioning } from "../../../src/graph/stream-graph.ts";
import { END_OF_PARTITION, isBatch, type ChannelItem, type TimestampedBatch } from "../../../src/runtime/network/channel-item.ts";
import { BatchCodec } from "../../../src/runtime/network/batch-codec.ts";
import { OutputChannel } from "../../../src/runtime/network/output-channel.ts";
import { createRecordWriter, type RecordWriter } from "../../../src/runtime/network/record-writer.ts";

interface Rec {
  readonly id: number;
  readonly key: unknown;
}

/** Output channels with unlimited credit that keep every item they transmit, per consumer subtask. */
function capture(consumers: number): { channels: OutputChannel[]; items: ChannelItem[][] } {
  const items: ChannelItem[][] = Array.from({ length: consumers }, () => []);
  const channels = items.map((sent, i) => new OutputChannel(i, Number.POSITIVE_INFINITY, (item) => sent.push(item)));
  return { channels, items };
}

function writer(partitioning: Partitioning, channels: OutputChannel[], opts: { bufferSize?: number; maxParallelism?: number; subtaskIndex?: number; clock?: ManualClock; time?: RecordTimestamp } = {}): RecordWriter {
  return createRecordWriter(partitioning, channels, {
    bufferSize: opts.bufferSize ?? 4,
    clock: opts.clock ?? new ManualClock(),
    maxParallelism: opts.maxParallelism ?? 128,
    subtaskIndex: opts.subtaskIndex ?? 0,
    objectReuse: false,
    recordTimestamp: opts.time ?? new RecordTimestamp(),
  });
}

/** The records each consumer received, in order, from the batches among its items. */
function received(items: ChannelItem[][]): unknown[][] {
  return items.map((sent) => sent.filter(isBatch).flatMap((b) => b as unknown[]));
}

function send(w: RecordWriter, records: readonly unknown[]): void {
  for (const r of records) w.collect(r);
  w.flush();
}

const key = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.tuple(fc.string({ maxLength: 3 }), fc.integer()));
const records = fc.array(key, { maxLength: 80 }).map((keys) => keys.map((k, id): Rec => ({ id, key: k })));
const hashSetup = fc.integer({ min: 1, max: 256 }).chain((maxParallelism) =>
  fc.record({
    maxParallelism: fc.constant(maxParallelism),
    consumers: fc.integer({ min: 1, max: Math.min(maxParallelism, 12) }),
    bufferSize: fc.integer({ min: 1, max: 9 }),
  }),
);
const byKey: Partitioning = { kind: "hash", keySelector: (r) => (r as Rec).key };

describe("record writers", () => {
  it("a keyed writer sends each record to exactly one consumer: the one whose key-group range holds the key's group", () => {
    fc.assert(
      fc.property(records, hashSetup, (recs, { maxParallelism, consumers, bufferSize }) => {
        const { channels, items } = capture(consumers);
        send(writer(byKey, channels, { bufferSize, maxParallelism }), recs);
        const got = received(items) as Rec[][];
        assert.deepEqual(
          got.flat().map((r) => r.id).sort((a, b) => a - b),
          recs.map((r) => r.id),
        );
        got.forEach((list, consumer) => {
          const range = keyGroupRangeForSubtask(consumer, consumers, maxParallelism);
          for (const r of list) {
            const group = assignToKeyGroup(r.key, maxParallelism);
            assert.ok(group >= range.start && group <= range.end, `key group ${group} of ${String(r.key)} is outside consumer ${consumer}'s range`);
          }
          // Records of one channel keep the order they were written in.
          assert.deepEqual(list.map((r) => r.id), [...list.map((r) => r.id)].sort((a, b) => a - b));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("a keyed writer routes a key the same way every time, in one writer and across writers", () => {
    fc.assert(
      fc.property(records, hashSetup, fc.integer({ min: 0, max: 7 }), (recs, { maxParallelism, consumers }, subtaskIndex) => {
        const route = (w: RecordWriter, items: ChannelItem[][]) => {
          send(w, [...recs, ...recs.map((r) => ({ id: r.id + recs.length, key: r.key }))]);
          const where = new Map<number, number>();
          received(items).forEach((list, consumer) => (list as Rec[]).forEach((r) => where.set(r.id, consumer)));
          return where;
        };
        const a = capture(consumers);
        const b = capture(consumers);
        const first = route(writer(byKey, a.channels, { maxParallelism }), a.items);
        const second = route(writer(byKey, b.channels, { maxParallelism, subtaskIndex, bufferSize: 1 }), b.items);
        assert.deepEqual(second, first);
        for (const r of recs) assert.equal(first.get(r.id + recs.length), first.get(r.id));
      }),
      { numRuns: 200 },
    );
  });

  it("a rebalancing writer deals records round-robin, starting at the producer's subtask index", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 7 }), (n, consumers, subtaskIndex, bufferSize) => {
        const { channels, items } = capture(consumers);
        const recs = Array.from({ length: n }, (_, i) => i);
        send(writer({ kind: "rebalance" }, channels, { subtaskIndex, bufferSize }), recs);
        const got = received(items);
        got.forEach((list, consumer) => assert.deepEqual(list, recs.filter((i) => (subtaskIndex + i) % consumers === consumer)));
        const sizes = got.map((l) => l.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      }),
    );
  });

  it("a broadcasting writer sends every record to every consumer, in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), (recs, consumers, bufferSize) => {
        const { channels, items } = capture(consumers);
        send(writer({ kind: "broadcast" }, channels, { bufferSize }), recs);
        assert.deepEqual(received(items), Array.from({ length: consumers }, () => recs));
      }),
    );
  });

  it("a broadcasting writer gives each consumer on this thread a record of its own, and consumers on other threads the record as it was emitted", () => {
    const sent: ChannelItem[][] = [[], [], [], []];
    const locality = [false, true, true, false];
    const channels = locality.map((local, i) => new OutputChannel(i, Number.POSITIVE_INFINITY, (item) => sent[i]!.push(item), local));
    const record = { v: 1 };
    const w = writer({ kind: "broadcast" }, channels, { bufferSize: 2 });
    w.collect(record);
    record.v = 2; // as the consumer given the record itself may do once it has it
    w.flush();
    const [remoteA, localA, localB, remoteB] = sent.map((items) => items[0]!);
    assert.equal((localA as unknown[])[0], record);
    assert.notEqual((localB as unknown[])[0], record);
    assert.deepEqual((localB as unknown[])[0], { v: 1 });
    assert.deepEqual([remoteA, remoteB].map((bytes) => new BatchCodec().decode(bytes as Uint8Array)), [[{ v: 1 }], [{ v: 1 }]]);
  });

  it("a channel to another thread gets its batches encoded, holding its records in order, with their timestamps", () => {
    const sent: ChannelItem[] = [];
    const time = new RecordTimestamp();
    const w = writer({ kind: "forward" }, [new OutputChannel(0, Number.POSITIVE_INFINITY, (item) => sent.push(item), false)], { bufferSize: 100, time });
    const emitted = Array.from({ length: 150 }, (_, i) => (i % 7 === 3 ? { id: i, nested: { tags: [i] } } : { id: i, name: `r${i % 5}`, ok: i % 2 === 0 }));
    emitted.forEach((record, i) => {
      time.at = i % 10 === 0 ? Number.NaN : i * 1000;
      w.collect(record);
    });
    w.flush();
    const expected = Array.from({ length: 150 }, (_, i) => (i % 7 === 3 ? { id: i, nested: { tags: [i] } } : { id: i, name: `r${i % 5}`, ok: i % 2 === 0 }));
    assert.equal(sent.length, 2, "a full batch of 100, then the rest at the flush");
    const codec = new BatchCodec();
    const batches = sent.map((item) => item as TimestampedBatch);
    assert.ok(batches.every((b) => b.records instanceof Uint8Array));
    assert.deepEqual(batches.flatMap((b) => codec.decode(b.records as Uint8Array)), expected);
    assert.deepEqual(batches.flatMap((b) => [...b.timestamps]), expected.map((_, i) => (i % 10 === 0 ? Number.NaN : i * 1000)));
  });

  it("a forward writer sends everything to its one consumer", () => {
    const { channels, items } = capture(1);
    send(writer({ kind: "forward" }, channels), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(received(items), [[1, 2, 3, 4, 5, 6]]);
  });

  it("a batch is sent as soon as it holds bufferSize records, and flush sends the rest", () => {
    const { channels, items } = capture(2);
    const w = writer({ kind: "rebalance" }, channels, { bufferSize: 3 });
    for (let i = 0; i < 5; i++) w.collect(i);
    assert.deepEqual(items, [[[0, 2, 4]], []]);
    w.collect(5);
    w.collect(6);
    assert.deepEqual(items, [[[0, 2, 4]], [[1, 3, 5]]]);
    w.flush();
    assert.deepEqual(items, [[[0, 2, 4], [6]], [[1, 3, 5]]]);
    w.flush();
    assert.equal(items[0]!.length + items[1]!.length, 3, "flushing empty buffers sends nothing");
  });

  it("an event goes to every channel after the records buffered before it", () => {
    const { channels, items } = capture(3);
    const w = writer({ kind: "rebalance" }, channels, { bufferSize: 10 });
    for (let i = 0; i < 4; i++) w.collect(i);
    w.broadcastEvent(END_OF_PARTITION);
    assert.deepEqual(items, [[[0, 3], END_OF_PARTITION], [[1], END_OF_PARTITION], [[2], END_OF_PARTITION]]);
  });

  it("the flush deadline is the buffer timeout after the oldest unsent record, and there is none when nothing is buffered", () => {
    const clock = new ManualClock(500);
    const { channels } = capture(1);
    const w = writer({ kind: "forward" }, channels, { bufferSize: 10, clock });
    assert.equal(w.flushDeadline(100), undefined);
    w.collect("a");
    clock.advance(30);
    w.collect("b");
    assert.equal(w.flushDeadline(100), 600);
    w.flush();
    assert.equal(w.flushDeadline(100), undefined);
    w.collect("c");
    assert.equal(w.flushDeadline(0), 530);
  });

  it("a channel whose consumer announced a smaller batch size (buffer debloating) gets batches of that size, the others full ones", () => {
    const { channels, items } = capture(2);
    const w = writer({ kind: "broadcast" }, channels, { bufferSize: 4 });
    assert.equal(w.announcedRoom(), Number.POSITIVE_INFINITY);
    channels[0]!.announceBatchSize(2);
    channels[1]!.announceBatchSize(100);
    assert.equal(w.announcedRoom(), 102);
    send(w, ["a", "b", "c", "d", "e"]);
    assert.deepEqual(items[0], [["a", "b"], ["c", "d"], ["e"]]);
    assert.deepEqual(items[1], [["a", "b", "c", "d"], ["e"]], "never more than the writer's buffer size");
  });

  it("a writer without channels bounds nothing a source polls", () => {
    assert.equal(writer({ kind: "rebalance" }, []).announcedRoom(), Number.POSITIVE_INFINITY);
  });

  it("a writer is backlogged while any of its channels holds a batch it could not send", () => {
    const sent: ChannelItem[] = [];
    const starved = new OutputChannel(0, 0, (item) => sent.push(item));
    const open = new OutputChannel(1, 10, () => {});
    const w = writer({ kind: "broadcast" }, [starved, open], { bufferSize: 1 });
    assert.equal(w.backlogged, false);
    w.collect("x");
    assert.equal(w.backlogged, true);
    starved.addCredits(1);
    assert.equal(w.backlogged, false);
    assert.deepEqual(sent, [["x"]]);
  });

  it("records without timestamps travel as bare arrays; once a buffered record has one, the batch carries every record's timestamp, NaN for none", () => {
    const time = new RecordTimestamp();
    const { channels, items } = capture(1);
    const w = writer({ kind: "forward" }, channels, { bufferSize: 3, time });
    w.collect("a");
    w.collect("b");
    w.collect("c");
    assert.deepEqual(items[0], [["a", "b", "c"]]);
    w.collect("d");
    time.current = 40;
    w.collect("e");
    time.current = null;
    w.collect("f");
    const batch = items[0]![1] as unknown as TimestampedBatch;
    assert.equal(batch.kind, "timestamped");
    assert.deepEqual(batch.records, ["d", "e", "f"]);
    assert.deepEqual([...batch.timestamps], [NaN, 40, NaN]);
    w.collect("g");
    w.flush();
    assert.deepEqual(items[0]![2], ["g"], "the next batch starts without timestamps again");
  });

  it("every timestamped batch keeps the timestamps it was sent with, full or flushed early, while the writer goes on", () => {
    const time = new RecordTimestamp();
    const { channels, items } = capture(1);
    const w = writer({ kind: "forward" }, channels, { bufferSize: 3, time });
    const stamped = (values: readonly string[], from: number) =>
      values.forEach((v, i) => {
        time.current = from + i;
        w.collect(v);
      });
    stamped(["a", "b"], 10);
    w.flush();
    stamped(["c", "d", "e"], 20);
    stamped(["f"], 30);
    w.flush();
    time.current = null;
    w.collect("g");
    time.current = 40;
    w.collect("h");
    w.flush();
    const batches = items[0]!.map((item) => item as unknown as TimestampedBatch);
    assert.deepEqual(
      batches.map((b) => [b.records, [...b.timestamps]]),
      [
        [["a", "b"], [10, 11]],
        [["c", "d", "e"], [20, 21, 22]],
        [["f"], [30]],
        [["g", "h"], [NaN, 40]],
      ],
    );
    assert.equal(new Set(batches.map((b) => b.timestamps.buffer)).size, batches.length, "each batch's timestamps have a buffer of their own (they may move to another thread)");
  });

  it("a watermark or watermark status goes to every channel after the records buffered before it", () => {
    const { channels, items } = capture(2);
    const w = writer({ kind: "rebalance" }, channels, { bufferSize: 10 });
    w.collect("a");
    w.emitWatermark(7);
    w.collect("b");
    w.emitWatermarkStatus(true);
    assert.deepEqual(items, [
      [["a"], { kind: "watermark", timestamp: 7 }, { kind: "watermark-status", idle: true }],
      [{ kind: "watermark", timestamp: 7 }, ["b"], { kind: "watermark-status", idle: true }],
    ]);
  });
});
