/**
 * Nexmark q3, "local item suggestion": sellers in Oregon, Idaho or California joined with their
 * auctions in category 10, giving (name, city, state, auction id). Flink runs it as a regular,
 * unwindowed streaming join of persons and auctions on person.id = auction.seller:
 *
 *   SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
 *   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
 *
 * The engine runs it as a user would write it: both sides filtered, connected, keyed by person id
 * and seller, and joined by a CoProcessFunction that keeps the seller in keyed state and parks
 * the auctions that arrive before their seller (at parallelism 2 the source's subtasks race). The
 * loop does the same with two maps. A category-10 auction whose seller is not in OR, ID or CA
 * (about half of them) waits for a seller who never passes the filter: it stays parked to the end,
 * so the state grows for the whole run, in the engine and the loop alike (as in an unwindowed
 * join without state TTL). Both use the filters and the result projection below; the
 * benchmark checks that their results are equal (./results.ts).
 */
import { CoProcessFunction, ListStateDescriptor, NexmarkConfig, ValueStateDescriptor, nexmarkEvent } from "../../src/index.ts";
import type { Auction, Collector, DataStream, DataStreamSink, KeyedContext, ListState, NexmarkEvent, Person, RuntimeContext, Sink, ValueState } from "../../src/index.ts";
import { canonical } from "./results.ts";

export interface Q3Result {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}

const SELLER_STATES = new Set(["OR", "ID", "CA"]);
const CATEGORY = 10;

export const isQ3Seller = (e: NexmarkEvent): e is Person => e.kind === "person" && SELLER_STATES.has(e.state);
export const isQ3Auction = (e: NexmarkEvent): e is Auction => e.kind === "auction" && e.category === CATEGORY;
export const q3Result = (seller: Person, auction: Auction): Q3Result => ({ name: seller.name, city: seller.city, state: seller.state, id: auction.id });

/** Joins a seller (input 1) with its auctions (input 2), whichever arrives first. */
export class Q3Join extends CoProcessFunction<Person, Auction, Q3Result> {
  private seller!: ValueState<Person>;
  private waiting!: ListState<Auction>;

  override open(context: RuntimeContext): void {
    this.seller = context.getState(new ValueStateDescriptor<Person>("seller"));
    this.waiting = context.getListState(new ListStateDescriptor<Auction>("auctions-before-seller"));
  }

  processElement1(seller: Person, _ctx: KeyedContext<unknown>, out: Collector<Q3Result>): void {
    this.seller.update(seller);
    for (const auction of this.waiting.get()) out.collect(q3Result(seller, auction));
    this.waiting.clear();
  }

  processElement2(auction: Auction, _ctx: KeyedContext<unknown>, out: Collector<Q3Result>): void {
    const seller = this.seller.value();
    if (seller === undefined) this.waiting.add(auction);
    else out.collect(q3Result(seller, auction));
  }
}

/** Appends q3 to `events`, ending in `sink`. */
export function addQ3(events: DataStream<NexmarkEvent>, sink: Sink<Q3Result>): DataStreamSink {
  return events
    .filter(isQ3Seller)
    .connect(events.filter(isQ3Auction))
    .keyBy(
      (p) => p.id,
      (a) => a.seller,
    )
    .process(new Q3Join())
    .sinkTo(sink);
}

/** q3's results over events 0 .. events-1, `next(i)` making event i, computed by a plain loop. */
export function q3Loop(events: number, next: (i: number) => NexmarkEvent): Q3Result[] {
  const sellers = new Map<number, Person>();
  const waiting = new Map<number, Auction[]>();
  const results: Q3Result[] = [];
  for (let i = 0; i < events; i++) {
    const e = next(i);
    if (isQ3Seller(e)) {
      sellers.set(e.id, e);
      for (const auction of waiting.get(e.id) ?? []) results.push(q3Result(e, auction));
      waiting.delete(e.id);
    } else if (isQ3Auction(e)) {
      const seller = sellers.get(e.seller);
      if (seller !== undefined) results.push(q3Result(seller, e));
      else {
        const list = waiting.get(e.seller);
        if (list === undefined) waiting.set(e.seller, [e]);
        else list.push(e);
      }
    }
  }
  return results;
}

/** The loop's results over the benchmark's events 0 .. events-1 (default generator), canonical: what the engine's must equal. */
export function q3ExpectedResults(events: number): string[] {
  const config = new NexmarkConfig();
  return q3Loop(events, (i) => nexmarkEvent(i, config)).map(canonical);
}
