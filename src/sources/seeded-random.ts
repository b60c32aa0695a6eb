/**
 * A small, fast, seeded pseudo-random generator for deterministic sources.
 *
 * Guarantee: after `reset(index)`, the numbers drawn depend only on the seed given to the
 * constructor and on `index`, never on what was drawn before. Sources reset it once per record,
 * so record `index` is the same whichever subtask makes it and however polling is batched.
 * The stream for one (seed, index) is mulberry32 started from a murmur3-style hash of both; it is
 * fit for test data and benchmarks, not for anything that needs unpredictability.
 */

import { fmix32 } from "../core/mix.ts";

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

export class SeededRandom {
  private readonly seedHash: number;
  private state = 0;

  /** `seed` and later indexes are taken as integers; only their low 53 bits matter. */
  constructor(seed = 0, index = 0) {
    this.seedHash = fmix32(fmix32((seed >>> 0) ^ 0x9e3779b9) ^ ((seed / TWO_POW_32) >>> 0));
    this.reset(index);
  }

  /** Moves to the start of the stream of `index` (a non-negative integer below 2^53). */
  reset(index: number): this {
    let h = fmix32(this.seedHash ^ (index >>> 0));
    const high = (index / TWO_POW_32) >>> 0;
    if (high !== 0) h = fmix32(h ^ Math.imul(high, 0x9e3779b9));
    this.state = h;
    return this;
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    const a = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A number in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** An integer in [0, bound), for an integer `bound` in [1, 2^32]. */
  nextInt(bound: number): number {
    return Math.floor((this.nextUint32() / TWO_POW_32) * bound);
  }

  /** An integer in [0, bound), for an integer `bound` in [1, 2^53]. */
  nextLong(bound: number): number {
    const high = this.nextUint32() >>> 11;
    const low = this.nextUint32();
    return Math.floor(((high * TWO_POW_32 + low) / TWO_POW_53) * bound);
  }

  /** True with probability 1/2. */
  nextBoolean(): boolean {
    return (this.nextUint32() & 1) === 1;
  }
}
