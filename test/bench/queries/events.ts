/** Nexmark events made by hand for the query tests: only the fields a query reads vary. */
import type { Auction, Bid, NexmarkEvent, Person } from "../../../src/index.ts";

export const T0 = Date.UTC(2020, 0, 1);

export const bid = (auction: number, price: number, at: number): Bid => ({
  kind: "bid",
  auction,
  bidder: 1000,
  price,
  channel: "Google",
  url: "https://www.nexmark.com/a/b/item.htm?query=1",
  dateTime: T0 + at,
  extra: "",
});

export const person = (id: number, name: string, at: number): Person => ({
  kind: "person",
  id,
  name,
  emailAddress: "a@b.com",
  creditCard: "1234 5678 9012 3456",
  city: "Boise",
  state: "ID",
  dateTime: T0 + at,
  extra: "",
});

export const auction = (id: number, seller: number, at: number): Auction => ({
  kind: "auction",
  id,
  itemName: "lamp",
  description: "a lamp",
  initialBid: 100,
  reserve: 200,
  dateTime: T0 + at,
  expires: T0 + at + 60_000,
  seller,
  category: 10,
  extra: "",
});

/** The loop's `next` over a fixed list. */
export const from =
  (events: readonly NexmarkEvent[]) =>
  (i: number): NexmarkEvent =>
    events[i]!;
