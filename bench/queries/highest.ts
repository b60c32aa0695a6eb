/**
 * "The items with the highest score, ties kept": the max step of q5 (auctions with the most bids
 * in a window) and q7 (bids with the highest price in a window), shared by the engine's
 * aggregate functions and the hand-written loops, so both keep exactly the same items.
 *
 * A `Highest` is plain data (no methods), so it can live in window state as it is.
 */
import type { AggregateFunction } from "../../src/state/descriptors.ts";

export interface Highest<T> {
  /** The highest score offered so far; -Infinity before the first item. */
  score: number;
  /** Every item offered with that score, in the order offered. */
  items: T[];
}

export function noneYet<T>(): Highest<T> {
  return { score: Number.NEGATIVE_INFINITY, items: [] };
}

/** Offers `item` with `score`: keeps it if the score ties the highest, keeps only it if higher. Returns `highest`, changed in place. */
export function offer<T>(highest: Highest<T>, item: T, score: number): Highest<T> {
  if (score > highest.score) {
    highest.score = score;
    highest.items = [item];
  } else if (score === highest.score) {
    highest.items.push(item);
  }
  return highest;
}

/** The highest of both: `a`, changed in place, holding the items of whichever scored higher (both on a tie). */
export function mergeHighest<T>(a: Highest<T>, b: Highest<T>): Highest<T> {
  if (b.score > a.score) {
    a.score = b.score;
    a.items = [...b.items];
  } else if (b.score === a.score) {
    a.items.push(...b.items);
  }
  return a;
}

/** An AggregateFunction keeping the inputs with the highest `score`; its result is those inputs. */
export function highestBy<T>(score: (item: T) => number): AggregateFunction<T, Highest<T>, T[]> {
  return {
    createAccumulator: () => noneYet<T>(),
    add: (item, highest) => offer(highest, item, score(item)),
    getResult: (highest) => highest.items,
    merge: (a, b) => mergeHighest(a, b),
  };
}
