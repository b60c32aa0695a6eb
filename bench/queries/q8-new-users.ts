/**
 * Nexmark q8, new users: people who opened an auction in the same tumbling window of event time
 * in which they registered, as (id, name, window start): a window join of persons and auctions on
 * person.id = auction.seller, one result per joined pair (per auction the person opened in the
 * window, as Nexmark's reference query 8 joins). The loop keeps the window's persons by id and its
 * auctions' sellers, and joins them when event time leaves the window.
 */
import { TumblingEventTimeWindows } from "../../src/index.ts";
import type { Auction, NexmarkEvent, Person } from "../../src/index.ts";
import { windowStartOf } from "./event-time.ts";
import type { WindowedQuery } from "./windowed-query.ts";

/** 2 s: 100 windows in 2M events at the generator's 10,000 events per second of event time. */
export const Q8_WINDOW_MS = 2_000;

export interface NewUser {
  readonly id: number;
  readonly name: string;
  readonly windowStart: number;
}

const isPerson = (e: NexmarkEvent): e is Person => e.kind === "person";
const isAuction = (e: NexmarkEvent): e is Auction => e.kind === "auction";
const newUser = (p: Person, windowStart: number): NewUser => ({ id: p.id, name: p.name, windowStart });

export const q8NewUsers: WindowedQuery<NewUser> = {
  addTo: (events, sink) =>
    events
      .filter(isPerson)
      .join(events.filter(isAuction))
      .where((p) => p.id)
      .equalTo((a) => a.seller)
      .window(TumblingEventTimeWindows.of(Q8_WINDOW_MS))
      .apply((p: Person, _a: Auction) => newUser(p, windowStartOf(p.dateTime, Q8_WINDOW_MS)))
      .sinkTo(sink),

  loop: (events, next) => {
    const results: NewUser[] = [];
    let start = Number.NaN;
    const persons = new Map<number, Person>();
    let sellers: number[] = [];
    const join = () => {
      for (const seller of sellers) {
        const p = persons.get(seller);
        if (p !== undefined) results.push(newUser(p, start));
      }
    };
    for (let i = 0; i < events; i++) {
      const e = next(i);
      if (e.kind === "bid") continue;
      const s = windowStartOf(e.dateTime, Q8_WINDOW_MS);
      if (s !== start) {
        join();
        persons.clear();
        sellers = [];
        start = s;
      }
      if (e.kind === "person") persons.set(e.id, e);
      else sellers.push(e.seller);
    }
    join();
    return results;
  },
};
