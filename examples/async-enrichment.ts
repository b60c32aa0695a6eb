/**
 * Async enrichment: orders are enriched with their user's name and tier by an asynchronous lookup
 * that answers after a random delay (a stand-in for a database or a web service), with up to
 * `--capacity` lookups in flight per subtask; a keyed process function then counts each user's
 * orders, and a file sink commits the lines `<user>,<name>,<tier>,<count so far>` with checkpoints.
 * Lookups in flight at a checkpoint are part of it and are issued again after a restore, so kill
 * the job at any moment, resume it with `--from latest`, and the committed files hold, for every
 * user, exactly the counts 1 … n once each.
 *
 *   npx weir run examples/async-enrichment.ts --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --events 100000 --users 50 --out /tmp/out
 *
 * `--ordered` emits enriched orders in input order (orderedWait) instead of as lookups complete.
 */
import { AsyncDataStream, AsyncFunction, committingFileSink, defineJob, generatorSource, type ResultFuture } from "weir";
import { CountPerKey, type Event } from "./exactly-once.ts";

/** An order of user `key`, the `seq`-th of the job. */
export type Order = Event;

export interface User {
  readonly name: string;
  readonly tier: "gold" | "standard";
}

export interface EnrichedOrder extends Order {
  readonly user: User;
}

/** A user directory that answers after a random delay of up to `maxDelayMs`. */
export class UserDirectory {
  constructor(private readonly maxDelayMs: number) {}

  lookup(userId: number): Promise<User> {
    const user: User = { name: `user-${userId}`, tier: userId % 3 === 0 ? "gold" : "standard" };
    return new Promise((resolve) => setTimeout(() => resolve(user), Math.random() * this.maxDelayMs));
  }
}

/** Looks up each order's user; a failed lookup fails the task, and the restart strategy retries. */
export class EnrichWithUser extends AsyncFunction<Order, EnrichedOrder> {
  private directory!: UserDirectory;

  constructor(private readonly maxDelayMs: number) {
    super();
  }

  override open(): void {
    this.directory = new UserDirectory(this.maxDelayMs);
  }

  asyncInvoke(order: Order, resultFuture: ResultFuture<EnrichedOrder>): void {
    this.directory.lookup(order.key).then(
      (user) => resultFuture.complete([{ ...order, user }]),
      (error: unknown) => resultFuture.completeExceptionally(error),
    );
  }
}

export default defineJob((env, args) => {
  const events = args.number("events", 100_000, { min: 1, integer: true });
  const users = args.number("users", 50, { min: 1, integer: true });
  const out = args.string("out", "./.weir/async-enrichment-out");
  const rate = args.number("rate", undefined, { min: 1 });
  const maxDelayMs = args.number("max-delay-ms", 5, { min: 0 });
  const capacity = args.number("capacity", 100, { min: 1, integer: true });
  const timeoutMs = args.number("timeout-ms", 10_000, { min: 0 });
  const ordered = args.flag("ordered");

  const orders = env
    .fromSource(generatorSource<Order>({ count: events, eventsPerSecond: rate, generate: (i) => ({ key: i % users, seq: i }) }), "orders")
    .uid("orders");
  const lookup = new EnrichWithUser(maxDelayMs);
  const enriched = ordered
    ? AsyncDataStream.orderedWait(orders, lookup, timeoutMs, capacity)
    : AsyncDataStream.unorderedWait(orders, lookup, timeoutMs, capacity);
  enriched
    .name("enrich with user")
    .uid("enrich-with-user")
    .keyBy((o) => o.key)
    .process(new CountPerKey<EnrichedOrder>((o, count) => `${o.key},${o.user.name},${o.user.tier},${count}`))
    .uid("count-per-user")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("committed-lines");
});
