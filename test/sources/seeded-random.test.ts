import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SeededRandom } from "../../src/sources/index.ts";

function draws(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.nextUint32());
}

const index = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

describe("SeededRandom", () => {
  it("the numbers after a reset depend only on the seed and the index", () => {
    fc.assert(
      fc.property(fc.integer(), index, fc.nat({ max: 20 }), index, (seed, i, drawnBefore, other) => {
        const fresh = new SeededRandom(seed, i);
        const reused = new SeededRandom(seed, other);
        draws(reused, drawnBefore);
        assert.deepEqual(draws(reused.reset(i), 5), draws(fresh, 5));
      }),
    );
  });

  it("different seeds and different indexes give different streams", () => {
    assert.notDeepEqual(draws(new SeededRandom(1, 0), 4), draws(new SeededRandom(2, 0), 4));
    assert.notDeepEqual(draws(new SeededRandom(1, 0), 4), draws(new SeededRandom(1, 1), 4));
    assert.notDeepEqual(draws(new SeededRandom(1, 7), 4), draws(new SeededRandom(1, 7 + 2 ** 32), 4));
    assert.notDeepEqual(draws(new SeededRandom(7, 0), 4), draws(new SeededRandom(7 + 2 ** 32, 0), 4));
  });

  it("draws stay within their bounds", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        index,
        fc.integer({ min: 1, max: 2 ** 32 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (seed, i, intBound, longBound) => {
          const random = new SeededRandom(seed, i);
          for (let k = 0; k < 20; k++) {
            const n = random.nextInt(intBound);
            assert.ok(Number.isInteger(n) && n >= 0 && n < intBound, `nextInt(${intBound}) gave ${n}`);
            const l = random.nextLong(longBound);
            assert.ok(Number.isInteger(l) && l >= 0 && l < longBound, `nextLong(${longBound}) gave ${l}`);
            const f = random.nextFloat();
            assert.ok(f >= 0 && f < 1);
            const u = random.nextUint32();
            assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
          }
        },
      ),
    );
  });

  it("first draws across consecutive indexes are close to uniform", () => {
    const random = new SeededRandom(42);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) buckets[random.reset(i).nextInt(10)]!++;
    for (const count of buckets) assert.ok(Math.abs(count - n / 10) < n / 100, `bucket count ${count}`);
    let heads = 0;
    for (let i = 0; i < n; i++) if (random.reset(i).nextBoolean()) heads++;
    assert.ok(Math.abs(heads - n / 2) < n / 100, `heads ${heads}`);
  });
});
