/**
 * Two inputs, one keyed state: Nexmark bids enriched with their auction's item and category.
 *
 * Auctions and bids are read as two streams, connected, and keyed by auction id on both sides,
 * so an auction and all its bids meet in the same subtask of a CoProcessFunction. The function
 * remembers each auction in ValueState. A bid whose auction has not arrived yet (the two streams
 * are read in parallel, so a bid may overtake its auction) waits in ListState, and is emitted as
 * soon as the auction comes. Only bids of at least `--min-price` dollars are printed.
 *
 *   npx weir run examples/connect.ts
 *   npx weir run examples/connect.ts -- --events 100000 --min-price 900000
 *
 * Job arguments: --events N (default 10,000), --min-price DOLLARS (default 500,000).
 * State grows with the number of auctions; a long-running job would clear an auction's state
 * once it expires, with a timer.
 */
import {
  CoProcessFunction,
  defineJob,
  ListStateDescriptor,
  nexmarkSource,
  ValueStateDescriptor,
  type Auction,
  type Bid,
  type Collector,
  type ListState,
  type RuntimeContext,
  type ValueState,
} from "weir";

interface AuctionInfo {
  readonly itemName: string;
  readonly category: number;
}

export interface EnrichedBid {
  readonly auction: number;
  readonly itemName: string;
  readonly category: number;
  readonly bidder: number;
  /** In cents. */
  readonly price: number;
}

export class EnrichBids extends CoProcessFunction<Auction, Bid, EnrichedBid> {
  private auction!: ValueState<AuctionInfo>;
  private waiting!: ListState<Bid>;

  override open(context: RuntimeContext): void {
    this.auction = context.getState(new ValueStateDescriptor<AuctionInfo>("auction"));
    this.waiting = context.getListState(new ListStateDescriptor<Bid>("bids-waiting-for-auction"));
  }

  processElement1(auction: Auction, _ctx: unknown, out: Collector<EnrichedBid>): void {
    const info = { itemName: auction.itemName, category: auction.category };
    this.auction.update(info);
    for (const bid of this.waiting.get()) out.collect(enrich(bid, info));
    this.waiting.clear();
  }

  processElement2(bid: Bid, _ctx: unknown, out: Collector<EnrichedBid>): void {
    const info = this.auction.value();
    if (info === undefined) this.waiting.add(bid);
    else out.collect(enrich(bid, info));
  }
}

function enrich(bid: Bid, info: AuctionInfo): EnrichedBid {
  return { auction: bid.auction, itemName: info.itemName, category: info.category, bidder: bid.bidder, price: bid.price };
}

const dollars = (cents: number) => `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export default defineJob((env, args) => {
  const minPrice = args.number("min-price", 500_000, { min: 0 }) * 100;
  const events = env.fromSource(nexmarkSource({ events: args.number("events", 10_000, { min: 1, integer: true }) }), "nexmark");
  const auctions = events.filter((e): e is Auction => e.kind === "auction").name("Auctions");
  const bids = events.filter((e): e is Bid => e.kind === "bid" && e.price >= minPrice).name("Large bids");
  auctions
    .connect(bids)
    .keyBy((auction) => auction.id, (bid) => bid.auction)
    .process(new EnrichBids())
    .name("Enrich bids")
    .uid("enrich-bids")
    .map((b) => `auction ${b.auction} (${b.itemName}, category ${b.category}): ${dollars(b.price)} from bidder ${b.bidder}`)
    .print();
});
