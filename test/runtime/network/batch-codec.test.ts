/**
 * Records crossing threads arrive as structuredClone copies them, in a job at parallelism 2 (a
 * rebalance and a keyBy between threads) and through the batch codec itself; a record that
 * cannot be written fails the job, naming the path.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { runJob, type JobResult } from "../../../src/index.ts";
import { WeirError } from "../../../src/core/errors.ts";
import { BatchCodec } from "../../../src/runtime/network/batch-codec.ts";
import { assertClonedFrom, fingerprint, valueShapes } from "../../fixtures/value-shapes.ts";
import { valueShapes as shapesCopiedAlike } from "../../fixtures/jobs/rt-value-shapes.ts";
import { canonical, fixtureJob } from "../job-fixtures.ts";

describe("batch codec", () => {
  it("records of every shape come back as structuredClone copies them, each its own copy", () => {
    const codec = new BatchCodec();
    const shapes = valueShapes();
    const shared = { n: 1 };
    const records = [...shapes.map(([, v]) => v), { a: shared }, { b: shared }];
    const back = codec.decode(codec.encode(records));
    shapes.forEach(([name, v], i) => assertClonedFrom(back[i], v, name));
    const [a, b] = back.slice(-2) as [{ a: object }, { b: object }];
    assert.notEqual(a.a, b.b, "two records holding one object arrive holding a copy each");
  });

  it("a batch of plain records stays plain and comes back equal", () => {
    const codec = new BatchCodec();
    const records = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `n${i}`, at: new Date(i), tags: ["a", "b"], missing: undefined }));
    assert.deepEqual(codec.decode(codec.encode(records)), records);
  });

  it("a record holding a function is refused, naming the record and the path", () => {
    const codec = new BatchCodec();
    assert.throws(
      () => codec.encode([{ ok: 1 }, { bid: { price: 3, onOutbid: () => 0 } }]),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && /record #2 .* holds at value\.bid\.onOutbid a function/.test(e.message),
    );
  });

  it("records that are class instances arrive as plain objects of their fields, as structuredClone copies them", () => {
    class Bid {
      constructor(
        readonly auction: number,
        readonly price: number,
      ) {}
      total(): number {
        return this.price;
      }
    }
    const codec = new BatchCodec();
    const back = codec.decode(codec.encode([new Bid(1, 3), { bids: [new Bid(2, 4)], at: new Map([["x", new Bid(3, 5)]]) }]));
    assert.deepEqual(back, [{ auction: 1, price: 3 }, { bids: [{ auction: 2, price: 4 }], at: new Map([["x", { auction: 3, price: 5 }]]) }]);
    assert.equal(Object.getPrototypeOf(back[0]), Object.prototype);
  });
});

/** A flat field value: what a shape writes in columns, with the awkward cases of each kind. */
const flatValue = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Infinity, 2 ** 53, -1),
  fc.integer(),
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", "\ud800", "a\udc00b", "😀", "é"),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
);
/** Flat records of a few shapes (names drawn from a small set, so shapes repeat and interleave). */
const flatRecord = fc.dictionary(fc.constantFrom("id", "name", "at", "ok", "x", "constructor", "0"), flatValue, { maxKeys: 5 });
/** Records that are not flat: the generic form writes them. */
const otherRecord = fc.oneof(fc.record({ nested: flatRecord }), fc.array(flatValue, { maxLength: 3 }), fc.record({ big: fc.bigInt() }));

describe("batch codec: records in columns", () => {
  it("batches of flat records of changing shapes come back as structuredClone copies them", () => {
    const codec = new BatchCodec();
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof({ weight: 4, arbitrary: flatRecord }, { weight: 1, arbitrary: otherRecord }), { maxLength: 40 }), { maxLength: 4 }), (batches) => {
        for (const records of batches) assert.equal(fingerprint(codec.decode(codec.encode(records))), fingerprint(structuredClone(records)));
      }),
      { numRuns: 300 },
    );
  });

  it("a flat record comes back as the generic form brings it back", () => {
    const codec = new BatchCodec();
    fc.assert(
      fc.property(fc.array(flatRecord, { minLength: 1, maxLength: 30 }), (records) => {
        const columns = codec.decode(codec.encode(records));
        const generic = (codec.decode(codec.encode(records.map((r) => [r]))) as unknown[][]).map(([r]) => r);
        assert.equal(fingerprint(columns), fingerprint(generic));
      }),
      { numRuns: 200 },
    );
  });

  it("a stream whose records change shape between and within batches arrives in order", () => {
    const codec = new BatchCodec();
    const bid = (i: number) => ({ kind: "bid", auction: i, price: i * 1.5, channel: `c${i % 3}` });
    const batches = [
      Array.from({ length: 300 }, (_, i) => bid(i)),
      [...Array.from({ length: 5 }, (_, i) => bid(i)), { kind: "person", id: 1, name: "Ann" }, { kind: "bid", auction: 9, price: "n/a", channel: "c" }, { kind: "bid", nested: { a: [1] } }, bid(7)],
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? bid(i) : { auction: i, kind: "bid" })),
    ];
    for (const records of batches) {
      const bytes = codec.encode(records);
      assert.equal(bytes[0], 3, "written in runs");
      assert.equal(fingerprint(codec.decode(bytes)), fingerprint(structuredClone(records)));
    }
  });

  it("batches of flat records are written in columns, and others in the generic form", () => {
    const codec = new BatchCodec();
    const records = Array.from({ length: 1000 }, (_, i) => ({ kind: "bid", auction: 1000 + (i % 50), price: i * 100, channel: ["Apple", "Google", "Baidu"][i % 3], at: new Date(i) }));
    const columns = codec.encode(records);
    const generic = codec.encode(records.map((r) => ({ ...r, nested: {} })));
    assert.equal(columns[0], 3);
    assert.notEqual(generic[0], 3);
  });

  it("a batch read from bytes at any offset comes back the same (as from a stored copy)", () => {
    const codec = new BatchCodec();
    const records = Array.from({ length: 50 }, (_, i) => ({ id: i, at: new Date(i), name: `n${i}`, ok: i % 2 === 0 }));
    const bytes = codec.encode(records);
    for (const offset of [1, 2, 3, 4, 5]) {
      const stored = new Uint8Array(bytes.length + offset);
      stored.set(bytes, offset);
      assert.equal(fingerprint(codec.decode(stored.subarray(offset))), fingerprint(records), `at offset ${offset}`);
    }
  });

  it("a batch written with the runs' header first (form 2, as channel state in older checkpoints holds) is still read", () => {
    const records = [
      { kind: "bid", auction: 7, price: 1.5, channel: "Apple", at: new Date(86_400_000), ok: true, none: null, missing: undefined },
      { kind: "bid", auction: 8, price: -0, channel: "\ud800é", at: new Date(0), ok: false, none: null, missing: undefined },
      { kind: "person", tags: ["a", "b"], nested: { n: 1 } },
      { id: 1, name: "Ann" },
    ];
    const written =
      "AgAAAFsAAACTmgKYpGtpbmSnYXVjdGlvbqVwcmljZadjaGFubmVsomF0om9rpG5vbmWnbWlzc2luZ6hzbm5zZGJsdQAAMEBEUGSTAXs2mgGSomlkpG5hbWWibnMBaHB0dHh7AAAAAAAAAAAAAAAcQAAAAAAAAPg/AAAAAHCZlEEAAAAAAAAgQAAAAAAAAACAAAAAAAAAAAAAAAAAAQAAAAAAAAACAAAAAQAAAAMAAAAFAAAAAgAAAGIAaQBkAEEAcABwAGwAZQAA2OkAAAAAAAAAAAAAAPA/AAAAAAMAAABBbm4AkdRyQJPWYgAAABjBBMEEwQbBBpKhYaFi1HJBkaFuAaC0a2luZHRhZ3NuZXN0ZWRwZXJzb24=";
    const bytes = new Uint8Array(Buffer.from(written, "base64"));
    assert.equal(bytes[0], 2);
    assert.equal(fingerprint(new BatchCodec().decode(bytes)), fingerprint(structuredClone(records)));
  });

  it("each batch owns its buffer: a batch sent on is not changed by the batches written after it", () => {
    const codec = new BatchCodec();
    const batch = (n: number) => Array.from({ length: 300 }, (_, i) => ({ id: n * 1000 + i, name: `n${n}-${i}`, ok: i % 2 === 0 }));
    const first = codec.encode(batch(1));
    const kept = first.slice();
    const second = codec.encode(batch(2));
    assert.notEqual(first.buffer, second.buffer);
    assert.deepEqual(first, kept);
    assert.equal(fingerprint(codec.decode(first)), fingerprint(batch(1)));
    assert.equal(fingerprint(codec.decode(second)), fingerprint(batch(2)));
  });

  it("records keyed by data (a new shape per record) still come back", () => {
    const codec = new BatchCodec();
    const records = Array.from({ length: 2000 }, (_, i) => ({ [`key-${i}`]: i }));
    assert.deepEqual(codec.decode(codec.encode(records)), records);
  });

  it("records decoded from one batch are objects of their own, changed without touching each other", () => {
    const codec = new BatchCodec();
    const bytes = codec.encode([{ a: 1, s: "x" }, { a: 1, s: "x" }]);
    const [first, second] = codec.decode(bytes) as { a: number; s: string }[];
    first!.a = 2;
    first!.s = "y";
    assert.deepEqual(second, { a: 1, s: "x" });
    assert.deepEqual(codec.decode(bytes), [{ a: 1, s: "x" }, { a: 1, s: "x" }], "a second decode builds new records");
  });

  it("a batch appended in pieces of any size is the batch of all its records, shaped, generic and mixed", () => {
    const bid = (i: number) => ({ kind: "bid", auction: i, price: i * 1.5, channel: `c${i % 3}`, at: new Date(i) });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 99 }).map(bid), fc.nat().map((id) => ({ kind: "person", id, name: "Ann" })), fc.nat().map((a) => ({ kind: "bid", nested: { a: [a] } }))), { maxLength: 700 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }),
        (records, pieces) => {
          const codec = new BatchCodec();
          for (let round = 0; round < 2; round++) {
            let from = 0;
            for (let p = 0; from < records.length; p++) {
              const to = Math.min(records.length, from + pieces[p % pieces.length]!);
              codec.append(records, from, to);
              from = to;
            }
            const bytes = codec.finish();
            assert.equal(fingerprint(codec.decode(bytes)), fingerprint(structuredClone(records)));
            assert.deepEqual(bytes, codec.encode(records), "the same bytes as when written at once");
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a shaped record's values are read when it is appended: changing it afterwards changes nothing in the batch", () => {
    const codec = new BatchCodec();
    const record = { id: 1, name: "before", at: new Date(5) };
    codec.append([record], 0, 1);
    record.id = 2;
    record.name = "after";
    record.at.setTime(6);
    assert.deepEqual(codec.decode(codec.finish()), [{ id: 1, name: "before", at: new Date(5) }]);
  });

  it("after a batch with a record that cannot be written, the next batch is written whole", () => {
    const codec = new BatchCodec();
    codec.append([{ a: 1 }, { a: 2 }], 0, 2);
    assert.throws(() => {
      codec.append([{ a: 3, f: () => 0 }], 0, 1);
      codec.finish();
    }, WeirError);
    const records = [{ b: "x" }, { b: "y" }];
    assert.deepEqual(codec.decode(codec.encode(records)), records);
  });

  it("a record holding a function among flat records is refused, naming its place in the batch", () => {
    const codec = new BatchCodec();
    assert.throws(
      () => codec.encode([{ a: 1 }, { a: 2 }, { a: 3, f: () => 0 }]),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && /record #3 .* holds at value\.f a function/.test(e.message),
    );
  });
});

describe("records crossing threads (threads, p=2)", () => {
  let result: Promise<JobResult> | undefined;
  const run = () => (result ??= runJob(fixtureJob("rt-value-shapes"), { runtime: "threads", parallelism: 2, bufferSize: 4 }));
  const expected = () => canonical(shapesCopiedAlike().flatMap(([name, value]) => [0, 1].map(() => ({ name, fingerprint: fingerprint(structuredClone({ name, value })) }))));

  it("records of every shape arrive after a rebalance as structuredClone copies them", async () => {
    assert.deepEqual(canonical((await run()).collected("rebalanced")), expected());
  });

  it("records of every shape arrive after a keyBy as structuredClone copies them", async () => {
    assert.deepEqual(canonical((await run()).collected("keyed")), expected());
  });

  it("a record holding a function fails the job when it crosses threads, naming the path", async () => {
    await assert.rejects(
      runJob(fixtureJob("rt-value-shapes"), { runtime: "threads", parallelism: 2, args: ["--pipeline", "refused"] }),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && /value\.onDone a function/.test(e.message),
    );
  });
});
