/**
 * Session windows: each user's activity cut into sessions, a session ending after a gap of one
 * second of event time without events. Events arrive up to 300 ms out of order, so sessions grow
 * and merge as late events bridge them; each session is reported once the watermark passes its
 * end, with its first and last event time and its number of events. The reports go to a
 * committing file sink, so a job killed at any moment and resumed with `--from latest` commits
 * exactly the lines of a run without the failure: the sessions in flight, merged or not, are
 * keyed state in its checkpoints.
 *
 *   npx weir run examples/session-windows.ts -- --events 100000 --users 20 --out /tmp/sessions
 *
 * Job arguments: --events N (default 20,000), --users N (default 10), --rate N events per second
 * (default unlimited), --out DIR.
 */
import {
  EventTimeSessionWindows,
  ProcessWindowFunction,
  WatermarkStrategy,
  committingFileSink,
  defineJob,
  generatorSource,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
} from "weir";

export interface Activity {
  readonly seq: number;
  readonly user: number;
  /** When it happened, in milliseconds. */
  readonly at: number;
}

export const GAP_MS = 1_000;
export const MAX_DELAY_MS = 300;
/** Each user is active in bursts of this many events, 100 ms apart, with five seconds of quiet between bursts. */
export const BURST = 20;

/** Event `seq`: of user `seq % users`, in that user's bursts, arriving up to MAX_DELAY_MS late. */
export const activityOf = (seq: number, users: number): Activity => {
  const n = Math.floor(seq / users);
  const onTime = n * 100 + Math.floor(n / BURST) * 5_000;
  return { seq, user: seq % users, at: Math.max(0, onTime - ((seq * 7919) % MAX_DELAY_MS)) };
};

/** "user,first event time,last event time,events" for each session. */
export class DescribeSession extends ProcessWindowFunction<Activity, string, number, TimeWindow> {
  process(user: number, context: ProcessWindowFunctionContext<TimeWindow>, events: Iterable<Activity>, out: Collector<string>): void {
    let first = Infinity;
    let last = -Infinity;
    let count = 0;
    for (const e of events) {
      first = Math.min(first, e.at);
      last = Math.max(last, e.at);
      count++;
    }
    // A session window ends one gap after its last event.
    if (last + GAP_MS !== context.window().end) throw new Error(`session ${String(context.window())} does not end a gap after its last event ${last}`);
    out.collect(`${user},${first},${last},${count}`);
  }
}

export default defineJob((env, args) => {
  const events = args.number("events", 20_000, { min: 1, integer: true })!;
  const users = args.number("users", 10, { min: 1, integer: true })!;
  const rate = args.number("rate", undefined, { min: 1 });
  const out = args.string("out", "./.weir/session-windows-out")!;
  env
    .fromSource(
      generatorSource<Activity>({ count: events, eventsPerSecond: rate, generate: (seq) => activityOf(seq, users) }),
      WatermarkStrategy.forBoundedOutOfOrderness<Activity>(MAX_DELAY_MS).withTimestampAssigner((a) => a.at),
      "activity",
    )
    .uid("activity")
    .keyBy((a) => a.user)
    .window(EventTimeSessionWindows.withGap(GAP_MS))
    .process(new DescribeSession())
    .uid("sessions")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("session-reports");
});
