/**
 * The Nexmark event model: an online auction where people register, open auctions and bid.
 * Ids are positive integers, prices are in cents, times are milliseconds since the epoch.
 * Every event is plain data (no methods), so it serializes as it is.
 */

export interface Person {
  readonly kind: "person";
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  /** Padding that brings the event to its configured average size. */
  readonly extra: string;
}

export interface Auction {
  readonly kind: "auction";
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  /** Always above `initialBid`. */
  readonly reserve: number;
  readonly dateTime: number;
  /** Always after `dateTime`. */
  readonly expires: number;
  /** The id of a person registered before this auction. */
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly kind: "bid";
  /** The id of an auction opened before this bid. */
  readonly auction: number;
  /** The id of a person registered before this bid. */
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export type NexmarkEvent = Person | Auction | Bid;

export type NexmarkEventKind = NexmarkEvent["kind"];
