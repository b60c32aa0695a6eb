import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../../src/core/errors.ts";
import {
  FIRST_AUCTION_ID,
  FIRST_PERSON_ID,
  NexmarkConfig,
  nexmarkEvent,
  nexmarkEventKind,
} from "../../../src/sources/index.ts";
import type { Auction, Bid, NexmarkConfigOptions, NexmarkEvent, Person } from "../../../src/sources/index.ts";

function events(count: number, config: NexmarkConfig, from = 0): NexmarkEvent[] {
  return Array.from({ length: count }, (_, i) => nexmarkEvent(from + i, config));
}

const config = new NexmarkConfig({ seed: 11 });
const stream = events(50_000, config);
const persons = stream.filter((e): e is Person => e.kind === "person");
const auctions = stream.filter((e): e is Auction => e.kind === "auction");
const bids = stream.filter((e): e is Bid => e.kind === "bid");

describe("nexmarkEvent", () => {
  it("out of every 50 events, 1 is a person, 3 are auctions and 46 are bids, in that order", () => {
    for (let epoch = 0; epoch < 1000; epoch++) {
      const kinds = stream.slice(epoch * 50, epoch * 50 + 50).map((e) => e.kind);
      assert.deepEqual(kinds, ["person", "auction", "auction", "auction", ...new Array<string>(46).fill("bid")]);
    }
    assert.equal(persons.length, 1000);
    assert.equal(auctions.length, 3000);
    assert.equal(bids.length, 46_000);
    stream.forEach((e, n) => assert.equal(nexmarkEventKind(n), e.kind));
  });

  it("person and auction ids count up from 1000 in event order", () => {
    assert.deepEqual(persons.map((p) => p.id), persons.map((_, i) => FIRST_PERSON_ID + i));
    assert.deepEqual(auctions.map((a) => a.id), auctions.map((_, i) => FIRST_AUCTION_ID + i));
  });

  it("bids go to auctions and come from people made earlier in the stream", () => {
    const seenPersons = new Set<number>();
    const seenAuctions = new Set<number>();
    for (const event of stream) {
      if (event.kind === "person") seenPersons.add(event.id);
      else if (event.kind === "auction") {
        assert.ok(seenPersons.has(event.seller), `auction ${event.id} has unknown seller ${event.seller}`);
        seenAuctions.add(event.id);
      } else {
        assert.ok(seenAuctions.has(event.auction), `bid for unknown auction ${event.auction}`);
        assert.ok(seenPersons.has(event.bidder), `bid by unknown person ${event.bidder}`);
      }
    }
  });

  it("references stay earlier in the stream for any seed and any part of it", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 500 }),
        (seed, eventNumber, numActivePeople, numInFlightAuctions) => {
          const options: NexmarkConfigOptions = { seed, numActivePeople, numInFlightAuctions };
          const event = nexmarkEvent(eventNumber, new NexmarkConfig(options));
          const epoch = Math.floor(eventNumber / 50);
          const personsSoFar = epoch + 1;
          const auctionsSoFar = epoch * 3 + Math.min(Math.max(eventNumber % 50, 0), 3);
          if (event.kind === "auction") {
            assert.ok(event.seller >= FIRST_PERSON_ID && event.seller < FIRST_PERSON_ID + personsSoFar);
          } else if (event.kind === "bid") {
            assert.ok(event.auction >= FIRST_AUCTION_ID && event.auction < FIRST_AUCTION_ID + auctionsSoFar);
            assert.ok(event.auction >= FIRST_AUCTION_ID + auctionsSoFar - 1 - numInFlightAuctions || event.auction % 100 === FIRST_AUCTION_ID % 100);
            assert.ok(event.bidder >= FIRST_PERSON_ID && event.bidder < FIRST_PERSON_ID + personsSoFar);
          }
        },
      ),
    );
  });

  it("most bids go to a few hot auctions and come from a few hot bidders", () => {
    const hotAuction = bids.filter((b) => (b.auction - FIRST_AUCTION_ID) % 100 === 0).length / bids.length;
    assert.ok(hotAuction > 0.45 && hotAuction < 0.6, `share of bids on hot auctions ${hotAuction}`);
    const byBidder = new Map<number, number>();
    for (const b of bids) byBidder.set(b.bidder, (byBidder.get(b.bidder) ?? 0) + 1);
    const top = [...byBidder.values()].sort((a, b) => b - a).slice(0, 10).reduce((a, b) => a + b, 0);
    assert.ok(top / bids.length > 0.7, `share of bids by the top ten bidders ${top / bids.length}`);
  });

  it("the same event number gives the same event, whatever was generated before", () => {
    const other = new NexmarkConfig({ seed: 12 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 49_999 }), fc.integer({ min: 0, max: 1e9 }), (n, m) => {
        nexmarkEvent(m, other);
        nexmarkEvent(m, config);
        assert.deepEqual(nexmarkEvent(n, config), stream[n]);
      }),
    );
    assert.deepEqual(events(100, new NexmarkConfig({ seed: 11 })), stream.slice(0, 100));
  });

  it("the seed chooses the stream", () => {
    assert.notDeepEqual(events(100, new NexmarkConfig({ seed: 12 })), stream.slice(0, 100));
  });

  it("event time advances by a fixed delay per event from the base time", () => {
    const timed = new NexmarkConfig({ baseTime: 1_000_000, eventTimeRate: 1000 });
    events(500, timed).forEach((e, n) => assert.equal(e.dateTime, 1_000_000 + n));
    const slow = new NexmarkConfig({ baseTime: 0, eventTimeRate: 4 });
    assert.deepEqual(events(9, slow).map((e) => e.dateTime), [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    stream.forEach((e, n) => assert.equal(e.dateTime, config.baseTime + Math.floor(n / 10)));
  });

  it("auctions open before they expire and reserves exceed initial bids", () => {
    for (const a of auctions) {
      assert.ok(a.expires > a.dateTime && a.expires <= a.dateTime + config.maxAuctionLengthMs);
      assert.ok(a.reserve > a.initialBid);
      assert.ok(a.category >= 10 && a.category < 15);
    }
  });

  it("prices lie between 1 and 1,000,000 dollars, in whole cents", () => {
    for (const b of bids) assert.ok(Number.isInteger(b.price) && b.price >= 100 && b.price <= 100_000_000);
    const below100Dollars = bids.filter((b) => b.price < 10_000).length / bids.length;
    assert.ok(Math.abs(below100Dollars - 1 / 3) < 0.02, `share of bids under $100: ${below100Dollars}`);
  });

  it("extra pads events to about their configured average size", () => {
    const meanBidSize = bids.reduce((sum, b) => sum + 32 + b.extra.length, 0) / bids.length;
    assert.ok(Math.abs(meanBidSize - 100) < 2, `mean bid size ${meanBidSize}`);
    const padded = new NexmarkConfig({ avgBidByteSize: 1000 });
    const big = events(500, padded).filter((e): e is Bid => e.kind === "bid");
    for (const b of big) assert.ok(b.extra.length >= 0.8 * 968 - 1 && b.extra.length <= 1.2 * 968 + 1);
    const bare = new NexmarkConfig({ avgBidByteSize: 0, avgPersonByteSize: 0, avgAuctionByteSize: 0 });
    for (const e of events(100, bare)) assert.equal(e.extra, "");
  });

  it("events are plain data with the standard fields", () => {
    assert.deepEqual(Object.keys(persons[0]!), ["kind", "id", "name", "emailAddress", "creditCard", "city", "state", "dateTime", "extra"]);
    assert.deepEqual(Object.keys(auctions[0]!), [
      "kind", "id", "itemName", "description", "initialBid", "reserve", "dateTime", "expires", "seller", "category", "extra",
    ]);
    assert.deepEqual(Object.keys(bids[0]!), ["kind", "auction", "bidder", "price", "channel", "url", "dateTime", "extra"]);
    assert.deepEqual(JSON.parse(JSON.stringify(stream.slice(0, 60))), stream.slice(0, 60));
    for (const b of bids.slice(0, 1000)) {
      if (b.channel.startsWith("channel-")) assert.ok(b.url.endsWith(`&channel_id=${b.channel.slice(8)}`));
      else assert.ok(["Google", "Facebook", "Baidu", "Apple"].includes(b.channel));
    }
  });

  it("invalid options are rejected as invalid arguments", () => {
    const invalid = (options: NexmarkConfigOptions) =>
      assert.throws(() => new NexmarkConfig(options), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT");
    invalid({ seed: 1.5 });
    invalid({ eventTimeRate: 0 });
    invalid({ hotAuctionRatio: 0 });
    invalid({ numActivePeople: -1 });
    invalid({ avgBidByteSize: 1.5 });
  });
});
