/**
 * Hot bidders on a Nexmark auction site: who is bidding in a frenzy right now, and when they stop.
 *
 * Bids are keyed by bidder. For each bidder a KeyedProcessFunction keeps the current streak (bids
 * placed with no pause longer than `--idle-ms` of processing time) in ValueState. When a streak
 * reaches `--threshold` bids it emits a "hot" alert; a processing-time timer notices when the
 * bidder has gone quiet, emits a "cooled" alert for hot bidders and clears the state, so state
 * stays bounded on an unbounded stream.
 *
 * The "hot" alerts are the same on every run (the events are deterministic and a hot bidder never
 * pauses within its streak); "cooled" alerts depend on processing time, and a bounded run drops
 * the timers still pending when its input ends.
 *
 *   npx weir run examples/nexmark-hot-bidders.ts
 *   npx weir run examples/nexmark-hot-bidders.ts -- --events 0 --rate 20000   (unbounded, Ctrl-C to stop)
 *
 * Job arguments: --events N (default 2,000,000; 0 for an unbounded stream), --rate N (events per
 * second, default unlimited), --threshold N (default 1000), --idle-ms N (default 1000).
 */
import {
  defineJob,
  KeyedProcessFunction,
  nexmarkSource,
  ValueStateDescriptor,
  type Bid,
  type Collector,
  type KeyedContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from "weir";

/** One bidder's current streak. */
interface Streak {
  bids: number;
  /** Highest bid of the streak, in cents. */
  highest: number;
  lastBidAt: number;
  /** When the pending idle check fires. */
  checkAt: number;
}

export type Alert =
  | { readonly kind: "hot"; readonly bidder: number; readonly bids: number }
  | { readonly kind: "cooled"; readonly bidder: number; readonly bids: number; readonly highest: number };

export class HotBidders extends KeyedProcessFunction<number, Bid, Alert> {
  private streak!: ValueState<Streak>;

  constructor(
    private readonly threshold: number,
    private readonly idleMs: number,
  ) {
    super();
  }

  override open(context: RuntimeContext): void {
    this.streak = context.getState(new ValueStateDescriptor<Streak>("streak"));
  }

  processElement(bid: Bid, ctx: KeyedContext<number>, out: Collector<Alert>): void {
    const timers = ctx.timerService();
    const now = timers.currentProcessingTime();
    let streak = this.streak.value();
    if (streak === undefined) {
      streak = { bids: 0, highest: 0, lastBidAt: now, checkAt: now + this.idleMs };
      timers.registerProcessingTimeTimer(streak.checkAt);
    }
    streak.bids++;
    streak.highest = Math.max(streak.highest, bid.price);
    streak.lastBidAt = now;
    this.streak.update(streak);
    if (streak.bids === this.threshold) out.collect({ kind: "hot", bidder: ctx.getCurrentKey(), bids: streak.bids });
  }

  /** The idle check: one timer per bidder at a time, moved forward while the bidder keeps bidding. */
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Alert>): void {
    const streak = this.streak.value();
    if (streak === undefined) return;
    const quietUntil = streak.lastBidAt + this.idleMs;
    if (quietUntil > timestamp) {
      streak.checkAt = quietUntil;
      this.streak.update(streak);
      ctx.timerService().registerProcessingTimeTimer(quietUntil);
      return;
    }
    if (streak.bids >= this.threshold) {
      out.collect({ kind: "cooled", bidder: ctx.getCurrentKey(), bids: streak.bids, highest: streak.highest });
    }
    this.streak.clear();
  }
}

export function describeAlert(alert: Alert): string {
  const bids = alert.bids.toLocaleString("en-US");
  return alert.kind === "hot"
    ? `hot bidder ${alert.bidder}: ${bids} bids without a pause`
    : `bidder ${alert.bidder} cooled down after ${bids} bids, highest $${(alert.highest / 100).toFixed(2)}`;
}

export default defineJob((env, args) => {
  // --events 0: unbounded.
  const events = args.number("events", 2_000_000, { min: 0, integer: true });
  const rate = args.number("rate", undefined, { min: 1 });
  env
    .fromSource(nexmarkSource({ events: events === 0 ? undefined : events, eventsPerSecond: rate }), "nexmark")
    .filter((event): event is Bid => event.kind === "bid")
    .name("Bids")
    .keyBy((bid) => bid.bidder)
    .process(new HotBidders(args.number("threshold", 1000, { min: 1, integer: true }), args.number("idle-ms", 1000, { min: 1 })))
    .name("Hot bidders")
    .uid("hot-bidders")
    .map(describeAlert)
    .print();
});
