/**
 * The Nexmark event generator: event n is a pure function of n and the config.
 *
 * Semantics, after the Nexmark benchmark's generator:
 * - Events come in epochs of 50: in each, event 0 is a person, events 1-3 are auctions and
 *   events 4-49 are bids. Person and auction ids count up from 1000 in event order, so an id
 *   tells how far into the stream its entity was made.
 * - Sellers and bidders are people, and bids go to auctions, made earlier in the stream: a
 *   reference is either the current "hot" entity (the first of the latest group of 100) or a
 *   random one among the newest `numActivePeople` people or `numInFlightAuctions` auctions.
 *   (The reference generator also lets a few references point slightly ahead of the stream;
 *   this one never does.)
 * - Prices are log-uniform between $1 and $1,000,000, in cents.
 * - Event time advances by a fixed delay per event from `baseTime`, never from the wall clock.
 * - `extra` pads each event to about its configured average size (uniform within ±20%).
 */
import type { NexmarkConfig } from "./config.ts";
import { AUCTION_PROPORTION, PERSON_PROPORTION, TOTAL_PROPORTION } from "./config.ts";
import type { Auction, Bid, NexmarkEvent, NexmarkEventKind, Person } from "./model.ts";
import {
  CATEGORY_COUNT,
  CHANNEL_COUNT,
  CHANNEL_URLS,
  CHANNELS,
  CITIES,
  CREDIT_CARDS,
  DESCRIPTIONS,
  EMAILS,
  FIRST_CATEGORY,
  HOT_CHANNELS,
  HOT_URLS,
  ITEM_NAMES,
  PERSON_NAMES,
  STATES,
} from "./pools.ts";
import { SeededRandom } from "../seeded-random.ts";

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;

/** Hot sellers, bidders and auctions are the first of each group of this many. */
const HOT_GROUP = 100;
const FIXED_FIELD_BYTES = 8;

export function nexmarkEventKind(eventNumber: number): NexmarkEventKind {
  const offset = eventNumber % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return "person";
  return offset < PERSON_PROPORTION + AUCTION_PROPORTION ? "auction" : "bid";
}

let scratch = new SeededRandom(0);
let scratchSeed = 0;

/** Event `eventNumber` (from 0) of the stream `config` describes. */
export function nexmarkEvent(eventNumber: number, config: NexmarkConfig): NexmarkEvent {
  if (config.seed !== scratchSeed) {
    scratch = new SeededRandom(config.seed);
    scratchSeed = config.seed;
  }
  return nexmarkEventFrom(eventNumber, config, scratch.reset(eventNumber));
}

/**
 * As `nexmarkEvent`, drawing from `random`, which must be a `SeededRandom` of `config.seed`
 * reset to `eventNumber`; this lets a generator source pass the one it already reset.
 */
export function nexmarkEventFrom(eventNumber: number, config: NexmarkConfig, random: SeededRandom): NexmarkEvent {
  const epoch = Math.floor(eventNumber / TOTAL_PROPORTION);
  const offset = eventNumber - epoch * TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return person(eventNumber, epoch, offset, config, random);
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return auction(eventNumber, epoch, offset, config, random);
  return bid(eventNumber, epoch, config, random);
}

/** Base-0 id of the newest person made at or before the event at (epoch, offset). */
function lastPerson(epoch: number, offset: number): number {
  return epoch * PERSON_PROPORTION + Math.min(offset, PERSON_PROPORTION - 1);
}

/** Base-0 id of the newest auction made at or before the event at (epoch, offset); -1 before the first. */
function lastAuction(epoch: number, offset: number): number {
  if (offset < PERSON_PROPORTION) return epoch * AUCTION_PROPORTION - 1;
  return epoch * AUCTION_PROPORTION + Math.min(offset - PERSON_PROPORTION, AUCTION_PROPORTION - 1);
}

function randomPerson(newest: number, config: NexmarkConfig, random: SeededRandom): number {
  const active = Math.min(newest + 1, config.numActivePeople);
  return newest + 1 - active + random.nextInt(active);
}

function randomAuction(newest: number, config: NexmarkConfig, random: SeededRandom): number {
  const oldest = Math.max(newest - config.numInFlightAuctions, 0);
  return oldest + random.nextInt(newest - oldest + 1);
}

/** ln(10^6): prices are 100 * e^(u * PRICE_EXPONENT) cents for a uniform u in [0, 1). */
const PRICE_EXPONENT = 6 * Math.LN10;

function price(random: SeededRandom): number {
  return Math.round(Math.exp(random.nextFloat() * PRICE_EXPONENT) * 100);
}

/** Padding that brings an event of `size` bytes to about `average` bytes. */
function extra(size: number, average: number, config: NexmarkConfig, random: SeededRandom): string {
  const room = average - size;
  if (room <= 0) return "";
  const spread = Math.round(room * 0.2);
  const length = spread === 0 ? room : room - spread + random.nextInt(2 * spread);
  return config.padding[length]!;
}

function person(eventNumber: number, epoch: number, offset: number, config: NexmarkConfig, random: SeededRandom): Person {
  const name = PERSON_NAMES[random.nextInt(PERSON_NAMES.length)]!;
  const emailAddress = EMAILS[random.nextInt(EMAILS.length)]!;
  const creditCard = CREDIT_CARDS[random.nextInt(CREDIT_CARDS.length)]!;
  const city = CITIES[random.nextInt(CITIES.length)]!;
  const state = STATES[random.nextInt(STATES.length)]!;
  const size = FIXED_FIELD_BYTES + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  return {
    kind: "person",
    id: lastPerson(epoch, offset) + FIRST_PERSON_ID,
    name,
    emailAddress,
    creditCard,
    city,
    state,
    dateTime: config.timestampOf(eventNumber),
    extra: extra(size, config.avgPersonByteSize, config, random),
  };
}

function auction(eventNumber: number, epoch: number, offset: number, config: NexmarkConfig, random: SeededRandom): Auction {
  const newestPerson = lastPerson(epoch, offset);
  const seller =
    random.nextInt(config.hotSellersRatio) > 0
      ? Math.floor(newestPerson / HOT_GROUP) * HOT_GROUP
      : randomPerson(newestPerson, config, random);
  const initialBid = price(random);
  const dateTime = config.timestampOf(eventNumber);
  const itemName = ITEM_NAMES[random.nextInt(ITEM_NAMES.length)]!;
  const description = DESCRIPTIONS[random.nextInt(DESCRIPTIONS.length)]!;
  const size = itemName.length + description.length + 6 * FIXED_FIELD_BYTES;
  return {
    kind: "auction",
    id: lastAuction(epoch, offset) + FIRST_AUCTION_ID,
    itemName,
    description,
    initialBid,
    reserve: initialBid + price(random),
    dateTime,
    expires: dateTime + 1 + random.nextLong(config.maxAuctionLengthMs),
    seller: seller + FIRST_PERSON_ID,
    category: FIRST_CATEGORY + random.nextInt(CATEGORY_COUNT),
    extra: extra(size, config.avgAuctionByteSize, config, random),
  };
}

function bid(eventNumber: number, epoch: number, config: NexmarkConfig, random: SeededRandom): Bid {
  const newestAuction = lastAuction(epoch, TOTAL_PROPORTION - 1);
  const auctionId =
    random.nextInt(config.hotAuctionRatio) > 0
      ? Math.floor(newestAuction / HOT_GROUP) * HOT_GROUP
      : randomAuction(newestAuction, config, random);
  const newestPerson = lastPerson(epoch, TOTAL_PROPORTION - 1);
  const bidder =
    random.nextInt(config.hotBiddersRatio) > 0
      ? Math.min(Math.floor(newestPerson / HOT_GROUP) * HOT_GROUP + 1, newestPerson)
      : randomPerson(newestPerson, config, random);
  let channel: string;
  let url: string;
  if (random.nextBoolean()) {
    const hot = random.nextInt(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[hot]!;
    url = HOT_URLS[hot]!;
  } else {
    const n = random.nextInt(CHANNEL_COUNT);
    channel = CHANNELS[n]!;
    url = CHANNEL_URLS[n]!;
  }
  return {
    kind: "bid",
    auction: auctionId + FIRST_AUCTION_ID,
    bidder: bidder + FIRST_PERSON_ID,
    price: price(random),
    channel,
    url,
    dateTime: config.timestampOf(eventNumber),
    extra: extra(4 * FIXED_FIELD_BYTES, config.avgBidByteSize, config, random),
  };
}
