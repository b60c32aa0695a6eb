import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.ts";
import { WeirError } from "../../src/core/errors.ts";
import { AVAILABLE, generatorSource } from "../../src/sources/index.ts";
import type { SeededRandom } from "../../src/sources/index.ts";
import { createReader, drainSync, poll, readAllSubtasks, sorted } from "./reading.ts";

interface Sample {
  readonly index: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const sample = (index: number, random: SeededRandom): Sample => ({
  index,
  a: random.nextInt(1000),
  b: random.nextFloat(),
  c: random.nextLong(2 ** 40),
});

function rejectsArgument(make: () => unknown): void {
  assert.throws(make, (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT");
}

describe("generatorSource", () => {
  it("emits the same multiset of records at parallelism 1, 2 and 3", async () => {
    const source = generatorSource({ count: 1000, seed: 7, generate: sample });
    const runs = await Promise.all([1, 2, 3].map((p) => readAllSubtasks(source, p, 64)));
    const [one, two, three] = runs.map((subtasks) => sorted(subtasks.flat(), (s) => s.index));
    assert.equal(one!.length, 1000);
    assert.deepEqual(one!.map((s) => s.index), Array.from({ length: 1000 }, (_, i) => i));
    assert.deepEqual(two, one);
    assert.deepEqual(three, one);
  });

  it("subtask i generates indexes i, i + p, i + 2p in increasing order", () => {
    const source = generatorSource({ count: 10, generate: (index) => index });
    assert.deepEqual(drainSync(createReader(source, 0, 3), 2), [0, 3, 6, 9]);
    assert.deepEqual(drainSync(createReader(source, 1, 3), 2), [1, 4, 7]);
    assert.deepEqual(drainSync(createReader(source, 2, 3), 2), [2, 5, 8]);
  });

  it("records do not depend on how polling is batched", () => {
    const reference = drainSync(createReader(generatorSource({ count: 200, seed: 3, generate: sample })), 200);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }), (batches) => {
        const reader = createReader(generatorSource({ count: 200, seed: 3, generate: sample }));
        const records: Sample[] = [];
        for (let k = 0; ; k++) {
          const { status, records: got } = poll(reader, batches[k % batches.length]!);
          assert.ok(got.length <= batches[k % batches.length]!);
          records.push(...got);
          if (status === "end-of-input") break;
        }
        assert.deepEqual(records, reference);
      }),
    );
  });

  it("the seed chooses the stream", () => {
    const first = drainSync(createReader(generatorSource({ count: 20, seed: 1, generate: sample })), 20);
    const again = drainSync(createReader(generatorSource({ count: 20, seed: 1, generate: sample })), 20);
    const other = drainSync(createReader(generatorSource({ count: 20, seed: 2, generate: sample })), 20);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
  });

  it("a source without count is unbounded and keeps handing over full batches", () => {
    const source = generatorSource({ generate: (index) => index });
    assert.equal(source.boundedness, "unbounded");
    const reader = createReader(source, 1, 2);
    for (let k = 0; k < 100; k++) {
      const { status, records } = poll(reader, 50);
      assert.equal(status, "more-available");
      assert.equal(records.length, 50);
      assert.equal(records[49], 1 + 2 * (50 * k + 49));
    }
  });

  it("a bounded source ends when its share is emitted, and at once when it has none", () => {
    const source = generatorSource({ count: 3, generate: (index) => index });
    assert.equal(source.boundedness, "bounded");
    const reader = createReader(source, 0, 2);
    assert.deepEqual(poll(reader, 10), { status: "end-of-input", records: [0, 2] });
    assert.deepEqual(poll(createReader(generatorSource({ count: 0, generate: (i) => i })), 10), {
      status: "end-of-input",
      records: [],
    });
    assert.deepEqual(poll(createReader(source, 3, 4), 10), { status: "end-of-input", records: [] });
  });

  it("invalid options are rejected as invalid arguments", () => {
    const generate = (index: number) => index;
    rejectsArgument(() => generatorSource({ count: -1, generate }));
    rejectsArgument(() => generatorSource({ count: 1.5, generate }));
    rejectsArgument(() => generatorSource({ seed: 0.5, generate }));
    rejectsArgument(() => generatorSource({ eventsPerSecond: 0, generate }));
    rejectsArgument(() => generatorSource({ eventsPerSecond: Number.NaN, generate }));
  });

  describe("rate limit", () => {
    it("each subtask emits at its share of the rate, by the injected clock", () => {
      const clock = new ManualClock(5_000);
      const source = generatorSource({ count: 100, eventsPerSecond: 100, generate: (index) => index });
      const reader = createReader(source, 1, 2, clock);
      assert.deepEqual(poll(reader, 10), { status: "more-available", records: [1] });
      assert.deepEqual(poll(reader, 10), { status: "nothing-available", records: [] });
      clock.advance(19);
      assert.deepEqual(poll(reader, 10), { status: "nothing-available", records: [] });
      clock.advance(1);
      assert.deepEqual(poll(reader, 10), { status: "more-available", records: [3] });
      clock.advance(60);
      assert.deepEqual(poll(reader, 10), { status: "more-available", records: [5, 7, 9] });
      assert.deepEqual(poll(reader, 10), { status: "nothing-available", records: [] });
    });

    it("a reader that falls behind catches up in batches of maxRecords", () => {
      const clock = new ManualClock();
      const reader = createReader(generatorSource({ eventsPerSecond: 1000, generate: (index) => index }), 0, 1, clock);
      assert.equal(poll(reader, 4).records.length, 1);
      clock.advance(10);
      assert.deepEqual(poll(reader, 4).records, [1, 2, 3, 4]);
      assert.deepEqual(poll(reader, 4).records, [5, 6, 7, 8]);
      assert.deepEqual(poll(reader, 4), { status: "more-available", records: [9, 10] });
      assert.equal(poll(reader, 4).status, "nothing-available");
    });

    it("the last records are still emitted on schedule and then the input ends", () => {
      const clock = new ManualClock();
      const reader = createReader(generatorSource({ count: 2, eventsPerSecond: 10, generate: (i) => i }), 0, 1, clock);
      assert.deepEqual(poll(reader, 5), { status: "more-available", records: [0] });
      clock.advance(100);
      assert.deepEqual(poll(reader, 5), { status: "end-of-input", records: [1] });
    });

    it("isAvailable resolves when the next record is due", async (t) => {
      t.mock.timers.enable({ apis: ["setTimeout"] });
      const clock = new ManualClock();
      const reader = createReader(generatorSource({ eventsPerSecond: 50, generate: (i) => i }), 0, 1, clock);
      assert.equal(reader.isAvailable(), AVAILABLE);
      poll(reader, 10);
      clock.advance(5);
      assert.equal(poll(reader, 10).status, "nothing-available");
      let resolved = false;
      const waiting = reader.isAvailable().then(() => (resolved = true));
      assert.equal(reader.isAvailable(), reader.isAvailable());
      t.mock.timers.tick(14);
      await Promise.resolve();
      assert.equal(resolved, false);
      clock.advance(15);
      t.mock.timers.tick(1);
      await waiting;
      assert.deepEqual(poll(reader, 10).records, [1]);
    });

    it("closing the reader releases a pending wait", async (t) => {
      t.mock.timers.enable({ apis: ["setTimeout"] });
      const clock = new ManualClock();
      const reader = createReader(generatorSource({ eventsPerSecond: 1, generate: (i) => i }), 0, 1, clock);
      poll(reader, 1);
      const waiting = reader.isAvailable();
      assert.notEqual(waiting, AVAILABLE);
      await reader.close?.();
      await waiting;
    });

    it("without a rate limit the reader is always available", () => {
      const reader = createReader(generatorSource({ count: 5, generate: (i) => i }));
      assert.equal(reader.isAvailable(), AVAILABLE);
      assert.equal(poll(reader, 100).records.length, 5);
    });
  });
});
