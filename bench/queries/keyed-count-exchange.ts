/**
 * The keyed count as hand-written code would run it on p threads that each own a share of the
 * keys, as the engine's subtasks do: each thread generates every p-th event, counts the bids whose
 * auction it owns, and sends every other bid, whole, to the thread that owns its auction; it counts
 * the bids the other threads send it too. This is the ceiling for a keyed exchange on this
 * machine: the work of the loop on p threads plus moving the records between threads, which share
 * no objects, by code written for this one record type (no engine, no generic codec).
 *
 * The codec knows a bid: its four numbers go into a Float64Array, its three strings (channel, url,
 * extra; `kind` is always "bid" and is not sent) into one Latin-1 text per batch (the generator's
 * strings are ASCII) with each string's length, a string equal to the last one sent in its slot
 * (by length and last character, per field) sent as that string's index again. Numbers that are
 * small integers are read back as such, as the code that made them holds them (a bid's auction as a
 * heap number would cost every Map lookup by it a box and a slower hash). A batch holds up
 * to BATCH bids and is transferred, not copied, to its thread. Ownership of a key is the engine's
 * (key group, then subtask), so each thread holds the keys the engine's subtask of that index does.
 */
import { Buffer } from "node:buffer";
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../src/core/key-groups.ts";
import type { Bid, NexmarkEvent } from "../../src/index.ts";

/** Bids per batch: its text stays below V8's large-object size, as the engine's runs do. */
const BATCH = 256;
const NUMBERS = 4;
const STRINGS = 3;
/** Slots per string field for the repeated-string check; a power of two. */
const SLOTS = 64;
const MAX_PARALLELISM = 128;
/** Bytes before the text: count, dictionary size, then numbers, string ids and lengths at fixed offsets. */
const IDS_AT = 8 + BATCH * NUMBERS * 8;
const LENGTHS_AT = IDS_AT + BATCH * STRINGS * 4;
const TEXT_AT = LENGTHS_AT + BATCH * STRINGS * 4;

/** One peer's outgoing batch being filled. */
export class OutgoingBatch {
  readonly numbers = new Float64Array(BATCH * NUMBERS);
  readonly ids = new Uint32Array(BATCH * STRINGS);
  readonly dictionary: string[] = [];
  readonly lastInSlot: (string | undefined)[] = new Array<string | undefined>(SLOTS * STRINGS).fill(undefined);
  readonly idInSlot = new Uint32Array(SLOTS * STRINGS);
  count = 0;

  add(bid: Bid): void {
    const q = this.count * NUMBERS;
    this.numbers[q] = bid.auction;
    this.numbers[q + 1] = bid.bidder;
    this.numbers[q + 2] = bid.price;
    this.numbers[q + 3] = bid.dateTime;
    const k = this.count * STRINGS;
    this.ids[k] = this.idOf(bid.channel, 0);
    this.ids[k + 1] = this.idOf(bid.url, 1);
    this.ids[k + 2] = this.idOf(bid.extra, 2);
    this.count++;
  }

  private idOf(s: string, field: number): number {
    const slot = field * SLOTS + ((s.length + s.charCodeAt(s.length - 1)) & (SLOTS - 1));
    if (this.lastInSlot[slot] === s) return this.idInSlot[slot]!;
    this.lastInSlot[slot] = s;
    this.dictionary.push(s);
    return (this.idInSlot[slot] = this.dictionary.length - 1);
  }

  /** The batch as one buffer to transfer; the batch starts empty again. */
  take(): ArrayBuffer {
    const { count, dictionary } = this;
    const text = dictionary.join("");
    const buffer = new ArrayBuffer(TEXT_AT + text.length);
    const header = new Uint32Array(buffer, 0, 2);
    header[0] = count;
    header[1] = dictionary.length;
    new Float64Array(buffer, 8, count * NUMBERS).set(this.numbers.subarray(0, count * NUMBERS));
    new Uint32Array(buffer, IDS_AT, count * STRINGS).set(this.ids.subarray(0, count * STRINGS));
    const lengths = new Uint32Array(buffer, LENGTHS_AT, dictionary.length);
    for (let i = 0; i < dictionary.length; i++) lengths[i] = dictionary[i]!.length;
    Buffer.from(buffer, TEXT_AT).write(text, "latin1");
    dictionary.length = 0;
    this.lastInSlot.fill(undefined);
    this.count = 0;
    return buffer;
  }
}

/** The bids of a batch, in order. */
export function readBatch(buffer: ArrayBuffer, each: (bid: Bid) => void): void {
  const [count, strings] = new Uint32Array(buffer, 0, 2) as unknown as [number, number];
  const numbers = new Float64Array(buffer, 8, count * NUMBERS);
  const ids = new Uint32Array(buffer, IDS_AT, count * STRINGS);
  const lengths = new Uint32Array(buffer, LENGTHS_AT, strings);
  const text = Buffer.from(buffer, TEXT_AT).toString("latin1");
  const dictionary = new Array<string>(strings);
  for (let i = 0, at = 0; i < strings; i++) dictionary[i] = text.slice(at, (at += lengths[i]!));
  for (let i = 0, q = 0, k = 0; i < count; i++, q += NUMBERS, k += STRINGS) {
    each({
      kind: "bid",
      auction: small(numbers[q]!),
      bidder: small(numbers[q + 1]!),
      price: small(numbers[q + 2]!),
      channel: dictionary[ids[k]!]!,
      url: dictionary[ids[k + 1]!]!,
      dateTime: numbers[q + 3]!,
      extra: dictionary[ids[k + 2]!]!,
    });
  }
}

/** How one thread of the loop reaches the others: a port per other thread (undefined at its own index). */
export interface ExchangePeers {
  readonly self: number;
  readonly ports: readonly (MessagePort | undefined)[];
}

/**
 * Runs this thread's share of the keyed count over `share` events (`next(i)` the thread's i-th)
 * until every other thread has sent all it had for this one; answers how many counts it emitted
 * (one per bid counted here, whichever thread generated it).
 */
export function keyedCountExchanging(share: number, next: (i: number) => NexmarkEvent, peers: ExchangePeers): number {
  const { self, ports } = peers;
  const threads = ports.length;
  const counts = new Map<number, number>();
  let emitted = 0;
  let sink: unknown;
  const count = (bid: Bid): void => {
    const n = (counts.get(bid.auction) ?? 0) + 1;
    counts.set(bid.auction, n);
    sink = { auction: bid.auction, count: n };
    if (sink !== undefined) emitted++;
    sink = undefined;
  };
  const outgoing = ports.map((port) => (port === undefined ? undefined : new OutgoingBatch()));
  let ended = 0;
  /** Counts whatever the other threads have sent so far; an empty message says a thread is done. */
  const receive = (): void => {
    for (const port of ports) {
      if (port === undefined) continue;
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const buffer = m.message as ArrayBuffer;
        if (buffer.byteLength === 0) ended++;
        else readBatch(buffer, count);
      }
    }
  };
  for (let i = 0; i < share; i++) {
    const e = next(i);
    if (e.kind !== "bid") continue;
    const owner = threads === 1 ? self : subtaskForKeyGroup(assignToKeyGroup(e.auction, MAX_PARALLELISM), threads, MAX_PARALLELISM);
    if (owner === self) {
      count(e);
      continue;
    }
    const batch = outgoing[owner]!;
    batch.add(e);
    if (batch.count === BATCH) {
      const buffer = batch.take();
      ports[owner]!.postMessage(buffer, [buffer]);
      receive();
    }
  }
  ports.forEach((port, t) => {
    if (port === undefined) return;
    const batch = outgoing[t]!;
    if (batch.count > 0) {
      const buffer = batch.take();
      port.postMessage(buffer, [buffer]);
    }
    port.postMessage(new ArrayBuffer(0));
  });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (receive(); ended < threads - 1; receive()) Atomics.wait(pause, 0, 0, 1);
  return emitted;
}

/** x as a small integer when it is one, as JavaScript code that made it would hold it (-0 stays -0). */
function small(x: number): number {
  return (x | 0) === x && (x !== 0 || 1 / x > 0) ? x | 0 : x;
}
