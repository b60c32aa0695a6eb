/**
 * Cost of writing values by the value codec's rule (structuredClone's copy, refusals checked)
 * against plain msgpackr as used before, in one run.
 *
 * 1. Record batches crossing threads: 1,000 Nexmark-like bids per batch, encoded and decoded by
 *    the BatchCodec, against msgpackr with records and bundled strings alone.
 * 2. Keyed state snapshot bodies: 10,000 object values ({ n, tags: [..] }) written as slots of one
 *    MessagePack body, against msgpackr alone (no inspection).
 *
 * 3. The same batches of bids as instances of a class (`class Bid { … }`), against the plain bids,
 *    both through the BatchCodec: what a class instance costs over a plain object.
 * 4. Bids as a job sends them to another thread: made by the Nexmark generator just before each
 *    batch is encoded (as a source's records are), their channel and url strings drawn from its
 *    pools of 10,000, the batch decoded at once; encoding and decoding timed apart. These cost
 *    more per record than the bids of 1, whose strings are few and stay in the cache.
 *
 * Rates are per second of the process's CPU time (steadier on a shared machine than wall-clock
 * time, as it leaves out time the process waited for a core). Warmed up; the two variants of a
 * comparison alternate, and swap which runs first each round; medians with the spread (min–max)
 * and the ratio new/old per round.
 *
 *   node --import tsx bench/value-codec.ts [rounds]
 */
import { Packr, Unpackr } from "msgpackr";
import { NexmarkConfig, nexmarkEvent } from "../src/index.ts";
import { BatchCodec } from "../src/runtime/network/batch-codec.ts";
import { plainPackr, toSlot } from "../src/core/value-codec.ts";
import { formatSummary, ratios, summarize } from "./stats.ts";

const rounds = Number(process.argv[2] ?? 9);
const bids = Array.from({ length: 1000 }, (_, i) => ({ auction: 1000 + (i % 97), bidder: 2000 + (i % 13), price: i * 3 + 0.5, channel: "channel-1", url: `https://example.com/${i}`, dateTime: 1_700_000_000_000 + i, extra: "" }));
const values = Array.from({ length: 10_000 }, (_, i) => ({ n: i, tags: ["a", `t${i % 7}`] }));

class Bid {
  constructor(
    readonly auction: number,
    readonly bidder: number,
    readonly price: number,
    readonly channel: string,
    readonly url: string,
    readonly dateTime: number,
    readonly extra: string,
  ) {}
}
const classBids = bids.map((b) => new Bid(b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra));

/** CPU seconds `reps` calls of `fn` take. */
function time(fn: () => void, reps: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const oldPackr = new Packr({ useRecords: true, bundleStrings: true });
const oldUnpackr = new Unpackr({ useRecords: true, bundleStrings: true });
const codec = new BatchCodec();
const batchOld = () => oldUnpackr.unpack(Uint8Array.from(oldPackr.pack(bids)));
const batchNew = () => codec.decode(codec.encode(bids));
const batchClasses = () => codec.decode(codec.encode(classBids));

const treePackr = new Packr({ moreTypes: true, useRecords: false });
const where = () => "bench";
const bodyOld = () => {
  const flat: unknown[] = [];
  for (let i = 0; i < values.length; i++) flat.push(i, values[i]);
  treePackr.pack([[0, flat]]);
};
const bodyNew = () => {
  const flat: unknown[] = [];
  for (let i = 0; i < values.length; i++) flat.push(toSlot(i, where), toSlot(values[i], where));
  plainPackr.pack([[0, flat]]);
};

function compare(label: string, unit: string, perRep: number, reps: number, old: () => void, fresh: () => void, names = ["before (msgpackr alone)", "value codec"]): void {
  for (let i = 0; i < 3; i++) {
    time(old, reps);
    time(fresh, reps);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      a.push((perRep * reps) / time(old, reps));
      b.push((perRep * reps) / time(fresh, reps));
    } else {
      b.push((perRep * reps) / time(fresh, reps));
      a.push((perRep * reps) / time(old, reps));
    }
  }
  const fmt = (v: number) => `${(v / 1e6).toFixed(2)} M ${unit}/s`;
  const [first, second] = names.map((n) => `${n}:`.padEnd(25)) as [string, string];
  console.log(`${label}\n  ${first}${formatSummary(summarize(a), fmt)}\n  ${second}${formatSummary(summarize(b), fmt)}\n  ${"ratio:".padEnd(25)}${formatSummary(summarize(ratios(b, a)), (v) => v.toFixed(2))}`);
}

console.log(`per CPU second; median (min–max) of ${rounds} rounds`);
compare("record batches, round trip (1,000 bids per batch)", "records", bids.length, 200, batchOld, batchNew);
compare("snapshot body, encode (10,000 object values)", "values", values.length, 20, bodyOld, bodyNew);
compare("record batches of class instances, round trip (1,000 bids per batch)", "records", bids.length, 200, batchNew, batchClasses, ["plain objects", "class instances"]);

/** Encodes and decodes `batches` batches of 1,024 bids fresh from the generator; CPU seconds of each. */
const nexmark = new NexmarkConfig();
let nextEvent = 0;
function freshBids(batches: number): { encode: number; decode: number } {
  const encoder = new BatchCodec();
  const decoder = new BatchCodec();
  let encode = 0;
  let decode = 0;
  for (let b = 0; b < batches; b++) {
    const batch: unknown[] = [];
    while (batch.length < 1024) {
      const event = nexmarkEvent(nextEvent++, nexmark);
      if (event.kind === "bid") batch.push(event);
    }
    const start = process.cpuUsage();
    const bytes = encoder.encode(batch);
    const encoded = process.cpuUsage(start);
    decoder.decode(bytes);
    const decoded = process.cpuUsage(start);
    encode += (encoded.user + encoded.system) / 1e6;
    decode += (decoded.user + decoded.system - encoded.user - encoded.system) / 1e6;
  }
  return { encode, decode };
}

freshBids(50);
/** CPU microseconds per record, per round. */
const encodeCosts: number[] = [];
const decodeCosts: number[] = [];
for (let r = 0; r < rounds; r++) {
  const { encode, decode } = freshBids(200);
  encodeCosts.push((encode * 1e6) / (200 * 1024));
  decodeCosts.push((decode * 1e6) / (200 * 1024));
}
const perRecord = (us: number) => `${us.toFixed(3)} µs/record`;
console.log(
  `record batches of Nexmark bids fresh from the generator (1,024 per batch)\n  ${"encode:".padEnd(25)}${formatSummary(summarize(encodeCosts), perRecord)}\n  ${"decode:".padEnd(25)}${formatSummary(summarize(decodeCosts), perRecord)}`,
);
