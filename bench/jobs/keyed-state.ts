/**
 * A benchmark job whose keyed state holds `--keys K` entries: a count per key, keys 0 .. K-1.
 * The source first emits every key once (filling the state), then updates random keys, at
 * `--rate` records/s over all subtasks (0: as fast as the job goes), without end.
 *
 * With `--recovery-dir D` the job takes part in the recovery benchmark, through files in D:
 * - once `D/fail` exists, the first subtask of the pass-through map to notice it creates
 *   `D/failed-at` (exclusively, so only one ever does) holding the wall-clock time in ms, and
 *   throws;
 * - a counting subtask opened while `D/failed-at` exists (a restored one) writes, on its first
 *   record, `D/recovered-at-<subtask>` holding the wall-clock time in ms.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  defineJob,
  discardingSink,
  KeyedProcessFunction,
  ValueStateDescriptor,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type ValueState,
} from "../../src/index.ts";
import { keyedStateSource } from "./keyed-state-source.ts";

/** Wall-clock milliseconds, comparable across threads. */
const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** Records between two looks for the failure marker, per subtask. */
const MARKER_CHECK_EVERY = 1024;

class FailOnceOnMarker {
  private seen = 0;
  private failed = false;

  constructor(private readonly dir: string | undefined) {}

  map(key: number): number {
    if (this.dir !== undefined && !this.failed && ++this.seen % MARKER_CHECK_EVERY === 0 && existsSync(join(this.dir, "fail"))) this.failIfFirst(this.dir);
    return key;
  }

  private failIfFirst(dir: string): void {
    this.failed = true;
    try {
      writeFileSync(join(dir, "failed-at"), String(wallClockMs()), { flag: "wx" });
    } catch {
      return; // another subtask failed already (or this job was restored after the failure)
    }
    throw new Error("failure injected by the recovery benchmark");
  }
}

class CountPerKey extends KeyedProcessFunction<number, number, never> {
  private count!: ValueState<number>;
  private recoveredAt: string | undefined;

  constructor(private readonly dir: string | undefined) {
    super();
  }

  override open(context: RuntimeContext): void {
    this.count = context.getState(new ValueStateDescriptor<number>("count"));
    if (this.dir !== undefined && existsSync(join(this.dir, "failed-at"))) this.recoveredAt = join(this.dir, `recovered-at-${context.subtaskIndex}`);
  }

  processElement(_key: number, _ctx: KeyedContext<number>, _out: Collector<never>): void {
    if (this.recoveredAt !== undefined) {
      writeFileSync(this.recoveredAt, String(wallClockMs()));
      this.recoveredAt = undefined;
    }
    this.count.update((this.count.value() ?? 0) + 1);
  }
}

export default defineJob((env, args) => {
  const keys = args.number("keys", 100_000);
  const rate = args.number("rate", 0);
  const dir = args.string("recovery-dir");
  env
    .fromSource(keyedStateSource({ keys, updatesPerSecond: rate === 0 ? undefined : rate }), "keys")
    .uid("keys")
    .map(new FailOnceOnMarker(dir))
    .uid("fail-once")
    .keyBy((key) => key)
    .process(new CountPerKey(dir))
    .name("count-per-key")
    .uid("count-per-key")
    .sinkTo(discardingSink())
    .uid("discard");
});
