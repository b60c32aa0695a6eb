/**
 * Records crossing threads arrive as structuredClone copies them, in a job at parallelism 2 (a
 * rebalance and a keyBy between threads) and through the batch codec itself; a record that
 * cannot be written fails the job, naming the path.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
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
