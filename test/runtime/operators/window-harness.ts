/**
 * A window operator run by hand, with the real parts a task gives it (heap keyed state backend,
 * timer service, runtime context, side outputs, record timestamp, a manual clock): the test feeds
 * elements with timestamps, watermarks and processing time, reads what the operator emitted (with
 * the timestamps it carried), and can checkpoint the operator and restore the checkpoint into a
 * new one, through the same encoding a checkpoint uses.
 */
import { JobArgs } from "../../../src/api/job-args.ts";
import { OutputTag } from "../../../src/api/output-tag.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { deepCopy } from "../../../src/core/deep-copy.ts";
import { assignToKeyGroup, keyGroupRangeForSubtask } from "../../../src/core/key-groups.ts";
import { KeyedServices } from "../../../src/runtime/keyed-services.ts";
import { decodeOperatorSnapshot, encodeOperatorSnapshot } from "../../../src/runtime/operator-snapshot.ts";
import type { OperatorContext, Output } from "../../../src/runtime/operators/operator.ts";
import { WindowOperator, type WindowOperatorSpec } from "../../../src/runtime/operators/window-operator.ts";
import { RecordTimestamp } from "../../../src/runtime/record-timestamp.ts";
import { StreamingRuntimeContext } from "../../../src/runtime/runtime-context.ts";
import { SideOutputs } from "../../../src/runtime/side-outputs.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import type { Window } from "../../../src/windowing/windows.ts";
import { writeAll } from "../../state/keyed-state-snapshot-conformance.ts";

const MAX_PARALLELISM = 128;

/** A record as emitted, with the timestamp it carried. */
export type Emitted<T> = readonly [record: T, timestamp: number | null];

export class WindowHarness<IN, OUT, K, W extends Window> {
  readonly output: Emitted<OUT>[] = [];
  readonly late: Emitted<IN>[] = [];
  readonly watermarks: number[] = [];
  readonly operator: WindowOperator<IN, OUT, K, W>;
  private readonly time = new RecordTimestamp();
  private readonly keyed: KeyedServices;
  private readonly backend: HeapKeyedStateBackend;

  private constructor(
    readonly spec: WindowOperatorSpec<IN, OUT, K, W>,
    readonly keyOf: (value: IN) => K,
    readonly clock: ManualClock,
    readonly lateTag: OutputTag<IN>,
    subtask: readonly [index: number, parallelism: number],
  ) {
    this.operator = new WindowOperator(spec);
    this.backend = new HeapKeyedStateBackend({ keyGroupRange: keyGroupRangeForSubtask(subtask[0], subtask[1], MAX_PARALLELISM), maxParallelism: MAX_PARALLELISM, clock });
    this.keyed = new KeyedServices(this.backend, [keyOf as (value: unknown) => unknown]);
  }

  /**
   * An opened operator, subtask `index` of `parallelism` (0 of 1 unless given; it holds that
   * subtask's key groups); `restoreFrom` is a checkpoint taken with `checkpoint()`.
   */
  static async open<IN, OUT, K, W extends Window>(
    spec: WindowOperatorSpec<IN, OUT, K, W>,
    keyOf: (value: IN) => K,
    options: { clock?: ManualClock; restoreFrom?: Uint8Array; subtask?: readonly [index: number, parallelism: number] } = {},
  ): Promise<WindowHarness<IN, OUT, K, W>> {
    const lateTag = spec.lateDataOutputTag ?? new OutputTag<IN>("late");
    const harness = new WindowHarness(spec, keyOf, options.clock ?? new ManualClock(0), lateTag, options.subtask ?? [0, 1]);
    await harness.start(options.restoreFrom);
    return harness;
  }

  private async start(restoreFrom: Uint8Array | undefined): Promise<void> {
    if (restoreFrom !== undefined) {
      const restored = decodeOperatorSnapshot(restoreFrom, "the window operator");
      this.backend.restore([restored.keyed!]);
      this.keyed.timers.restore(restored.timers, this.backend.keyGroupRange, MAX_PARALLELISM);
    }
    const time = this.time;
    // Copies, as the runtime hands on records of an operator that may still hold them (window state).
    const output: Output<unknown> = {
      collect: (record) => void this.output.push([deepCopy(record) as OUT, time.current]),
      emitWatermark: (watermark) => void this.watermarks.push(watermark),
    };
    const lateOutput: Output<unknown> = { collect: (record) => void this.late.push([deepCopy(record) as IN, time.current]) };
    const runtime = new StreamingRuntimeContext("Window", 0, 1, MAX_PARALLELISM, new JobArgs(), this.keyed);
    const context: OperatorContext = {
      runtime,
      keyed: this.keyed,
      clock: this.clock,
      client: { send: () => {} },
      operatorId: "window",
      checkpointing: true,
      restored: undefined,
      sideOutputs: new SideOutputs("Window", new Map([[this.lateTag.id, lateOutput]])),
      requestStep: () => {},
      recordTimestamp: time,
    };
    await this.operator.open(context, output);
  }

  /** Whether this subtask holds the key of `value`. */
  holds(value: IN): boolean {
    const group = assignToKeyGroup(this.keyOf(value), MAX_PARALLELISM);
    return group >= this.backend.keyGroupRange.start && group <= this.backend.keyGroupRange.end;
  }

  /** Hands the operator a copy of its own of an element, with `timestamp` (none when undefined), as the runtime does. */
  element(value: IN, timestamp?: number): this {
    this.time.current = timestamp ?? null;
    try {
      this.operator.processElement(deepCopy(value));
    } finally {
      this.time.current = null;
    }
    return this;
  }

  watermark(watermark: number): this {
    this.operator.processWatermark(watermark);
    return this;
  }

  /** Moves the clock to `now` and fires the processing-time timers due, as a task does. */
  processingTime(now: number): this {
    this.clock.set(now);
    const next = this.operator.nextTimerTime();
    if (next !== undefined && next <= now) this.operator.onProcessingTime(now);
    return this;
  }

  /** The records emitted so far, without timestamps, and forgets them. */
  take(): OUT[] {
    return this.output.splice(0).map(([record]) => record);
  }

  /** A checkpoint of the operator's keyed state and timers, encoded as a checkpoint stores them. */
  checkpoint(): Uint8Array {
    const keyed = writeAll(this.backend.snapshot());
    return encodeOperatorSnapshot({ keyed, timers: this.keyed.timers.snapshot(), state: undefined });
  }

  /** How many (key, namespace) entries a state holds. */
  entries(stateName: string): number {
    return this.backend.stateNames().includes(stateName) ? this.backend.numKeys(stateName) : 0;
  }

  /** Pending timers of both domains. */
  timers(): number {
    return this.keyed.timers.size();
  }
}
