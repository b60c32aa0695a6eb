/**
 * The exactly-once demonstration: N deterministic events, event i with key `i mod K`; a keyed
 * process function counts per key and emits `<key>,<count so far>` for every event; a file sink
 * commits the lines with checkpoints. Kill the job at any moment and resume it with
 * `--from latest`: the committed files hold, for every key k, exactly `k,1` … `k,n_k` once each.
 *
 *   npx weir run examples/exactly-once.ts --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --events 1000000 --keys 100 --out /tmp/out
 */
import {
  committingFileSink,
  defineJob,
  generatorSource,
  KeyedProcessFunction,
  ValueStateDescriptor,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type ValueState,
} from "weir";

export interface Event {
  readonly key: number;
  readonly seq: number;
}

/** Counts events per key and emits one line per event, by default `<key>,<count so far>`. */
export class CountPerKey<E extends Event = Event> extends KeyedProcessFunction<number, E, string> {
  private count!: ValueState<number>;

  constructor(private readonly format: (event: E, count: number) => string = (event, count) => `${event.key},${count}`) {
    super();
  }

  override open(context: RuntimeContext): void {
    this.count = context.getState(new ValueStateDescriptor<number>("count"));
  }

  processElement(event: E, _ctx: KeyedContext<number>, out: Collector<string>): void {
    const count = (this.count.value() ?? 0) + 1;
    this.count.update(count);
    out.collect(this.format(event, count));
  }
}

export default defineJob((env, args) => {
  const events = args.number("events", 100_000, { min: 1, integer: true });
  const keys = args.number("keys", 100, { min: 1, integer: true });
  const out = args.string("out", "./.weir/exactly-once-out");
  const rate = args.number("rate", undefined, { min: 1 });
  env
    .fromSource(generatorSource<Event>({ count: events, eventsPerSecond: rate, generate: (i) => ({ key: i % keys, seq: i }) }), "events")
    .uid("events")
    .keyBy((e) => e.key)
    .process(new CountPerKey())
    .uid("count-per-key")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("committed-lines");
});
