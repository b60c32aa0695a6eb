/**
 * Broadcast state: a keyed stream of payments checked against rules that arrive on a second,
 * broadcast stream while the job runs. Every parallel instance of the checking function receives
 * every rule and keeps it in broadcast state; payments are keyed by user. The job reports each
 * (payment, rule) match exactly once, whichever of the two arrived first: a payment is checked
 * against the rules known when it arrives, and kept in keyed state so that a rule arriving later
 * is applied to every payment seen so far (`applyToKeyedState`). Matches go to a committing file
 * sink, so a job killed at any moment and resumed with `--from latest` commits exactly the lines
 * of a run without the failure: broadcast state, keyed state and both sources' positions are all
 * in its checkpoints.
 *
 *   npx weir run examples/broadcast-rules.ts --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --payments 100000 --rules 5 --out /tmp/out
 *
 * Job arguments: --payments N (default 10,000), --users N (default 50), --rules N (default 4,
 * at most 18), --rate N payments per second (default unlimited), --out DIR.
 */
import {
  committingFileSink,
  defineJob,
  generatorSource,
  KeyedBroadcastProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastReadOnlyContext,
  type ListState,
  type RuntimeContext,
} from "weir";

export interface Payment {
  readonly seq: number;
  readonly user: number;
  readonly amount: number;
}

export interface Rule {
  readonly name: string;
  /** Payments of at least this amount match. */
  readonly minAmount: number;
}

/** The rules every instance holds, by name: the same contents on every instance. */
export const RULES = new MapStateDescriptor<string, Rule>("rules");

const describeMatch = (rule: Rule, payment: Payment): string => `${rule.name},${payment.user},${payment.seq},${payment.amount}`;

export class CheckPayments extends KeyedBroadcastProcessFunction<number, Payment, Rule, string> {
  private readonly paymentsDescriptor = new ListStateDescriptor<Payment>("payments");
  private payments!: ListState<Payment>;

  override open(context: RuntimeContext): void {
    this.payments = context.getListState(this.paymentsDescriptor);
  }

  processElement(payment: Payment, ctx: KeyedBroadcastReadOnlyContext<number>, out: Collector<string>): void {
    this.payments.add(payment);
    for (const [, rule] of ctx.getBroadcastState(RULES).immutableEntries()) {
      if (payment.amount >= rule.minAmount) out.collect(describeMatch(rule, payment));
    }
  }

  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    ctx.getBroadcastState(RULES).put(rule.name, rule);
    ctx.applyToKeyedState(this.paymentsDescriptor, (_user: number, payments: ListState<Payment>) => {
      for (const payment of payments.get()) if (payment.amount >= rule.minAmount) out.collect(describeMatch(rule, payment));
    });
  }
}

/** A deterministic amount in 0..999 for payment `seq`. */
export const amountOf = (seq: number): number => (seq * 7919 + 13) % 1000;

/** Rule `i`: payments of at least 950 − 50·i. */
export const ruleOf = (i: number): Rule => ({ name: `rule-${i}`, minAmount: 950 - 50 * i });

export default defineJob((env, args) => {
  const payments = args.number("payments", 10_000, { min: 1, integer: true })!;
  const users = args.number("users", 50, { min: 1, integer: true })!;
  const rules = args.number("rules", 4, { min: 1, max: 18, integer: true })!;
  const rate = args.number("rate", undefined, { min: 1 });
  const out = args.string("out", "./.weir/broadcast-rules-out")!;
  const ruleStream = env
    .fromSource(generatorSource<Rule>({ count: rules, eventsPerSecond: rate === undefined ? undefined : Math.max(1, (rules * rate) / payments), generate: ruleOf }), "rules")
    .uid("rules")
    .setParallelism(1)
    .broadcast(RULES);
  env
    .fromSource(generatorSource<Payment>({ count: payments, eventsPerSecond: rate, generate: (seq) => ({ seq, user: seq % users, amount: amountOf(seq) }) }), "payments")
    .uid("payments")
    .keyBy((p) => p.user)
    .connect(ruleStream)
    .process(new CheckPayments())
    .uid("check-payments")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("matches");
});
