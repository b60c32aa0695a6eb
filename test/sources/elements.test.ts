import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { elementsSource } from "../../src/sources/index.ts";
import { createReader, drainSync, poll } from "./reading.ts";

describe("elementsSource", () => {
  it("every element is emitted by exactly one subtask", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 10 }),
        (elements, parallelism, maxRecords) => {
          const source = elementsSource(elements);
          const emitted = Array.from({ length: parallelism }, (_, i) =>
            drainSync(createReader(source, i, parallelism), maxRecords),
          );
          const indexes = emitted.flatMap((records, i) => records.map((_, k) => i + k * parallelism));
          assert.deepEqual([...indexes].sort((a, b) => a - b), elements.map((_, i) => i));
          emitted.forEach((records, i) => records.forEach((value, k) => assert.equal(value, elements[i + k * parallelism])));
        },
      ),
    );
  });

  it("subtask i emits the elements at indexes i, i + p, i + 2p in order", () => {
    const source = elementsSource(["a", "b", "c", "d", "e", "f", "g"]);
    assert.deepEqual(drainSync(createReader(source, 0, 3), 2), ["a", "d", "g"]);
    assert.deepEqual(drainSync(createReader(source, 1, 3), 2), ["b", "e"]);
    assert.deepEqual(drainSync(createReader(source, 2, 3), 2), ["c", "f"]);
  });

  it("a poll hands over at most maxRecords elements and reports end of input with the last ones", () => {
    const reader = createReader(elementsSource([1, 2, 3, 4, 5]));
    assert.deepEqual(poll(reader, 2), { status: "more-available", records: [1, 2] });
    assert.deepEqual(poll(reader, 2), { status: "more-available", records: [3, 4] });
    assert.deepEqual(poll(reader, 2), { status: "end-of-input", records: [5] });
  });

  it("a subtask with no share ends at once", () => {
    assert.deepEqual(poll(createReader(elementsSource([1]), 1, 2), 10), { status: "end-of-input", records: [] });
    assert.deepEqual(poll(createReader(elementsSource([])), 10), { status: "end-of-input", records: [] });
  });

  it("is bounded and always available", async () => {
    const source = elementsSource([1]);
    assert.equal(source.boundedness, "bounded");
    await createReader(source).isAvailable();
  });

  it("later changes to the caller's array are not seen", () => {
    const elements = [1, 2, 3];
    const source = elementsSource(elements);
    elements.push(4);
    elements[0] = 9;
    assert.deepEqual(drainSync(createReader(source), 10), [1, 2, 3]);
  });
});
