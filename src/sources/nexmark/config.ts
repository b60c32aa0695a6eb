/**
 * Parameters of the Nexmark generator, checked and completed once, with the values the generator
 * derives from them. Defaults follow the Nexmark benchmark. A config is immutable and may be
 * shared by any number of sources and threads that build it from the same options.
 */
import { invalidArgument } from "../../core/errors.ts";
import { paddingUpTo } from "./pools.ts";

export interface NexmarkConfigOptions {
  /** Chooses the event stream; defaults to 0. */
  readonly seed?: number;
  /** Event time of event 0, in milliseconds since the epoch; defaults to 2020-01-01T00:00:00Z. */
  readonly baseTime?: number;
  /** Events per second of event time: event n happens n / eventTimeRate seconds after `baseTime`. Defaults to 10,000. */
  readonly eventTimeRate?: number;
  /** Bids and auctions pick their random people among the newest this many. Defaults to 1,000. */
  readonly numActivePeople?: number;
  /** Bids pick their random auctions among the newest this many. Defaults to 100. */
  readonly numInFlightAuctions?: number;
  /** 1 in this many bids goes to a random auction; the rest to the current hot auction. Defaults to 2. */
  readonly hotAuctionRatio?: number;
  /** 1 in this many auctions has a random seller; the rest the current hot seller. Defaults to 4. */
  readonly hotSellersRatio?: number;
  /** 1 in this many bids has a random bidder; the rest the current hot bidder. Defaults to 4. */
  readonly hotBiddersRatio?: number;
  /** Average size in bytes that `extra` pads each kind of event to. Defaults to 200, 500 and 100. */
  readonly avgPersonByteSize?: number;
  readonly avgAuctionByteSize?: number;
  readonly avgBidByteSize?: number;
}

/** Out of every `TOTAL_PROPORTION` consecutive events, this many are persons, auctions and bids, in that order. */
export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const DEFAULT_BASE_TIME = Date.UTC(2020, 0, 1);
export const DEFAULT_EVENT_TIME_RATE = 10_000;

const MAX_RATIO = 2 ** 31;

function integer(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgument(`nexmark ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export class NexmarkConfig {
  readonly seed: number;
  readonly baseTime: number;
  readonly eventTimeRate: number;
  readonly numActivePeople: number;
  readonly numInFlightAuctions: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;

  /** Microseconds of event time between two consecutive events. */
  readonly interEventDelayUs: number;
  /** Auctions last from 1 to this many milliseconds: twice the time it takes to open `numInFlightAuctions` auctions. */
  readonly maxAuctionLengthMs: number;
  /** Padding strings by length, long enough for every `extra`. */
  readonly padding: readonly string[];

  constructor(options: NexmarkConfigOptions = {}) {
    this.seed = integer("seed", options.seed, 0, Number.MIN_SAFE_INTEGER);
    this.baseTime = integer("baseTime", options.baseTime, DEFAULT_BASE_TIME, 0);
    const rate = options.eventTimeRate ?? DEFAULT_EVENT_TIME_RATE;
    if (!(Number.isFinite(rate) && rate > 0)) throw invalidArgument(`nexmark eventTimeRate must be a positive number, got ${rate}`);
    this.eventTimeRate = rate;
    this.numActivePeople = integer("numActivePeople", options.numActivePeople, 1000, 1, MAX_RATIO);
    this.numInFlightAuctions = integer("numInFlightAuctions", options.numInFlightAuctions, 100, 1, MAX_RATIO);
    this.hotAuctionRatio = integer("hotAuctionRatio", options.hotAuctionRatio, 2, 1, MAX_RATIO);
    this.hotSellersRatio = integer("hotSellersRatio", options.hotSellersRatio, 4, 1, MAX_RATIO);
    this.hotBiddersRatio = integer("hotBiddersRatio", options.hotBiddersRatio, 4, 1, MAX_RATIO);
    this.avgPersonByteSize = integer("avgPersonByteSize", options.avgPersonByteSize, 200, 0, 1 << 20);
    this.avgAuctionByteSize = integer("avgAuctionByteSize", options.avgAuctionByteSize, 500, 0, 1 << 20);
    this.avgBidByteSize = integer("avgBidByteSize", options.avgBidByteSize, 100, 0, 1 << 20);

    this.interEventDelayUs = 1_000_000 / rate;
    const eventsPerInFlightAuctions = Math.floor((this.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
    const horizonMs = Math.floor((eventsPerInFlightAuctions * this.interEventDelayUs) / 1000);
    this.maxAuctionLengthMs = Math.max(2 * horizonMs, 1);
    const largest = Math.max(this.avgPersonByteSize, this.avgAuctionByteSize, this.avgBidByteSize);
    this.padding = paddingUpTo(Math.ceil(largest * 1.2) + 1);
  }

  /** Event time of event `eventNumber`. */
  timestampOf(eventNumber: number): number {
    return this.baseTime + Math.floor((eventNumber * this.interEventDelayUs) / 1000);
  }
}
