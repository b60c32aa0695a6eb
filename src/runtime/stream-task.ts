/**
 * One subtask of a vertex: its operator chain, its input (a source reader or an input gate), and
 * its record writers. The executor calls `step` when `runnable`; each step handles one unit (a
 * control action, a source poll, a batch or an event) on the executor's thread, so operators need
 * no locks. Control actions (checkpoint triggers and notifications) go first.
 *
 * Lifecycle: created → running → ending → finished. At end of data (the sources' last record)
 * operators' inputs are ended and "end of data" is forwarded. Without checkpoints the task then
 * closes and ends its partitions at once; with checkpoints it stays "ending", still taking part
 * in checkpoints, until the job's final checkpoint (triggered after every source ended) completed
 * and `finish` is called; only then it closes.
 *
 * Stop with a savepoint: without drain, a task that snapshots a `suspend` barrier is suspended:
 * it polls no source, takes no mail, fires no timers and ends no operator's input (an ended
 * channel is only noted), so what the savepoint holds is all that happened. The savepoint's
 * completion is followed by `finish`, which closes it; its abort resumes it. With drain, `drain`
 * ends a source's input at once (the maximum watermark, then end of data), and the job's final
 * checkpoint, a savepoint, follows as for a bounded job.
 *
 * Event time: each record taken from the input sets the task's `RecordTimestamp` (null for a
 * record without one) while the chain handles it. Watermarks and watermark status from the input
 * channels are combined by a StatusWatermarkValve and handed to the head operator; a source task
 * ends its data with the maximum watermark, so every event-time timer downstream fires. Watermarks
 * are not part of checkpoints.
 *
 * Checkpoint n: sources snapshot when the coordinator triggers n; other tasks when their barrier
 * handler says every input delivered barrier n. The synchronous phase captures keyed state
 * (copy-on-write), timers and each operator's own state (encoded at once, so changes the operator
 * makes afterwards stay out of checkpoint n), then barrier n goes downstream; the asynchronous
 * phase encodes keyed state and writes while records keep flowing, then acknowledges.
 *
 * Unaligned checkpoints (exactly-once with `unaligned`; see UnalignedBarrierHandler): a barrier
 * is seen when it arrives at an input channel, and its handling is a priority action, taken even
 * while the task's output is back-pressured. When the handler switches to unaligned the task
 * snapshots at once, sends the barrier ahead of its output backlog, and collects its channel state
 * (InFlightCapture): the output batches overtaken and the input batches in flight up to each
 * channel's barrier. The asynchronous phase writes that state with the head operator's state once
 * every input delivered the barrier. A source task's trigger is a priority action too, and its
 * barrier overtakes its backlog when the checkpoint is unaligned by then, unless the source is
 * past its end of data: the job's final checkpoint is aligned.
 *
 * An aborted checkpoint (`notifyCheckpointAborted`) stops its asynchronous phase before its next
 * write, and a checkpoint aborted before its barrier arrived writes nothing. A task that wrote
 * files for an aborted checkpoint deletes the checkpoint's directory once its own writes are
 * over: whoever else deleted it may have done so before this task's last write, so the last
 * writer cleans up. Disposing the task (after a failure or a cancellation) stops its asynchronous
 * phases too, and waits for them, but deletes nothing: for the coordinator those checkpoints are
 * still in progress until it hears of the failure, which it does only after the disposal, and
 * other tasks may still be writing them; it aborts them and deletes their directories itself.
 */
import type { JobVertex } from "../graph/job-graph.ts";
import type { InputStatus, SourceReader } from "../sources/source.ts";
import type { Clock } from "../core/clock.ts";
import type { ChainMember } from "./operator-chain.ts";
import type { TaskMetrics } from "./metrics.ts";
import { BatchCodec } from "./network/batch-codec.ts";
import { END_OF_DATA, END_OF_PARTITION, isBatch, type ChannelEvent } from "./network/channel-item.ts";
import type { InputGate, InputChannel } from "./network/input-gate.ts";
import type { RecordWriter } from "./network/record-writer.ts";
import type { BufferDebloater } from "./network/buffer-debloater.ts";
import { operatorFailure } from "./operators/user-function.ts";
import type { BarrierHandler, CheckpointBarrier } from "./barriers/barrier.ts";
import { AlignedBarrierHandler } from "./barriers/aligned-barrier-handler.ts";
import { UnalignedBarrierHandler } from "./barriers/unaligned-barrier-handler.ts";
import { overtakes } from "./barriers/barrier.ts";
import { InFlightCapture } from "./network/in-flight-capture.ts";
import { nextRun } from "./step-budget.ts";
import { EncodingSlices } from "./encoding-slices.ts";
import { encodeChannelState, inFlightBytes, isEmptyChannelState, type ChannelState } from "./network/channel-state.ts";
import { TrackingBarrierHandler } from "./barriers/tracking-barrier-handler.ts";
import type { KeyedStateSnapshot } from "../state/keyed-state-snapshot.ts";
import type { OperatorStateHandle, TaskCheckpointing } from "./task-checkpointing.ts";
import type { StateHandle } from "../checkpoint/storage/checkpoint-metadata.ts";
import { captureOperatorState, encodeCapturedSnapshot, type CapturedOperatorState } from "./operator-snapshot.ts";
import { KeyedChangelogs, type ChainLink } from "./keyed-changelogs.ts";
import { faultPoint, snapshotStepPause } from "./fault-hooks.ts";
import type { RecordTimestamp } from "./record-timestamp.ts";
import { deliverWatermark, deliverWatermarkStatus } from "./outputs.ts";
import { StatusWatermarkValve } from "./watermarks/status-watermark-valve.ts";
import { MAX_WATERMARK } from "../core/watermark.ts";
import type { SplitSourceDriver } from "./split-source-driver.ts";
import type { EnumeratorToReader } from "./source-events.ts";

/** What a keyed operator without timers or state of its own contributes; encoded once. */
const NOTHING_CAPTURED: CapturedOperatorState = captureOperatorState([], undefined);

export type TaskStatus = "created" | "running" | "ending" | "finished";

export type TaskInput =
  /** `driver`: the reader of a split-based source, which hears from the source's enumerator. */
  | { readonly kind: "source"; readonly reader: SourceReader<unknown>; readonly driver?: SplitSourceDriver }
  /** `debloater`: with buffer debloating, sizes the batches the gate's producers send. */
  | { readonly kind: "network"; readonly gate: InputGate; readonly codec: BatchCodec; readonly debloater?: BufferDebloater };

interface MemberSnapshot {
  readonly member: ChainMember;
  readonly keyed: KeyedStateSnapshot | undefined;
  /** With incremental checkpoints: where `keyed` goes in its operator's chain. */
  readonly link?: ChainLink;
  /** Timers and the operator's own state; undefined when it has neither. */
  readonly captured: CapturedOperatorState | undefined;
}

/**
 * How long one step may spend on a batch (see step-budget.ts): with unaligned checkpoints, so that
 * a barrier that arrived is taken within a few milliseconds; and shorter while a checkpoint's
 * asynchronous phase is under way in any mode, since its writes go on only between steps.
 */
const STEP_BUDGET_MS = 5;
const WRITING_STEP_BUDGET_MS = 1;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The barrier without its alignment timeout: a source past its end of data sends aligned barriers,
 * so the job's final checkpoint holds every record (nothing is processed after it).
 */
function alignedBarrier(barrier: CheckpointBarrier): CheckpointBarrier {
  const { alignedTimeoutMs: _timeout, ...aligned } = barrier;
  return aligned;
}

/** `promise`'s value, or undefined as soon as `signal` fires. */
function untilAborted<T>(promise: Promise<T | undefined>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    });
  });
}

export class StreamTask {
  status: TaskStatus = "created";
  private sourceWaiting = false;
  /** What the enumerator sent while the task opened; applied when `open()` ends. */
  private earlyEnumeratorEvents: (() => void)[] = [];
  /** Per input: channels that have not delivered end of data. */
  private readonly openInputs: [number, number] = [0, 0];
  private readonly dataEnded: Set<InputChannel> = new Set();
  private readonly head: ChainMember;
  private readonly actions: (() => void | Promise<void>)[] = [];
  /** Actions taken even while the output is back-pressured: unaligned barriers and their triggers. */
  private readonly priorityActions: (() => void | Promise<void>)[] = [];
  private readonly barrierHandler: BarrierHandler | undefined;
  private readonly unalignedHandler: UnalignedBarrierHandler | undefined;
  /** The channel state of the unaligned checkpoint being collected. */
  private inFlight: InFlightCapture | undefined;
  /** Whether a priority action that checks the alignment timeout is queued. */
  private alignmentCheckQueued = false;
  /** Encodes the batches a source task's unaligned barrier overtakes. */
  private sourceCodec: BatchCodec | undefined;
  /** Set by the barrier handler when alignment completed; the current step runs it (and waits for it). */
  private alignedSnapshot: (() => Promise<void>) | undefined;
  /** Asynchronous phases under way, by checkpoint id; aborting one stops it before its next write. */
  private readonly asyncPhases = new Map<number, { readonly abort: AbortController; readonly done: Promise<void> }>();
  /** Checkpoints aborted before this task snapshotted them; ids below the next snapshot are forgotten. */
  private readonly abortedEarly = new Set<number>();
  /** Checkpoints this task wrote files for and answered (acknowledged or declined), whose end it has not heard yet. */
  private readonly wroteFor = new Set<number>();
  /** The chains of keyed operators with incremental checkpoints; undefined when the task has none. */
  private readonly changelogs: KeyedChangelogs | undefined;
  /** Set once disposal began: asynchronous phases stop without answering and without deleting. */
  private disposing = false;
  /** Chain members whose operators do work outside steps (asynchronous results), handled as mail. */
  private readonly mailMembers: readonly ChainMember[];
  /** Chain members whose operators may refuse input for a while (back-pressure of their own). */
  private readonly gatingMembers: readonly ChainMember[];
  /** The stop savepoint this task snapshotted and is suspended for (see the header). */
  private suspendedBy: number | undefined;
  /** Combines the watermarks of the input channels; undefined for a source task. */
  private readonly valve: StatusWatermarkValve | undefined;
  private readonly debloater: BufferDebloater | undefined;

  constructor(
    readonly vertex: JobVertex,
    readonly subtaskIndex: number,
    readonly chain: readonly ChainMember[],
    private readonly input: TaskInput,
    readonly writers: readonly RecordWriter[],
    /** Called when the task may have become runnable from outside a step. */
    private readonly wake: () => void,
    private readonly clock: Clock,
    private readonly checkpointing: TaskCheckpointing | undefined,
    private readonly time: RecordTimestamp,
  ) {
    this.head = chain[0]!;
    this.debloater = input.kind === "network" ? input.debloater : undefined;
    this.changelogs = chain.some((m) => m.context.keyed?.incremental === true) ? new KeyedChangelogs(() => (snapshotStepPause() ?? yieldToEventLoop)(), (keyed) => encodeCapturedSnapshot(keyed, NOTHING_CAPTURED)) : undefined;
    this.mailMembers = chain.filter((m) => m.operator?.processMail !== undefined);
    this.gatingMembers = chain.filter((m) => m.operator?.inputRoom !== undefined);
    if (input.kind === "network") {
      const head = this.head;
      this.valve = new StatusWatermarkValve(input.gate.channels.length, {
        emitWatermark: (watermark) => deliverWatermark(head.operator!, head.output, watermark),
        emitWatermarkStatus: (idle) => deliverWatermarkStatus(head.operator!, head.output, idle),
      });
      for (const c of input.gate.channels) this.openInputs[c.inputIndex]++;
      if (checkpointing !== undefined) {
        const gate = input.gate;
        const actions = {
          block: (channel: number) => gate.block(channel),
          unblockAll: () => gate.unblockAll(),
          checkpoint: (barrier: CheckpointBarrier, alignmentMs: number) => {
            this.alignedSnapshot = () => this.performCheckpoint(barrier, alignmentMs);
          },
          decline: (checkpointId: number, reason: string) => {
            this.abandonInFlight(checkpointId);
            checkpointing.decline(checkpointId, reason);
          },
          checkpointUnaligned: (barrier: CheckpointBarrier, alignmentMs: number, inPosition: ReadonlySet<number>) => {
            // The recorder starts now, before any other item is taken: what is queued is in flight.
            const capture = new InFlightCapture(barrier.checkpointId, input.codec, { gate, inPosition });
            this.inFlight = capture;
            this.alignedSnapshot = () => this.performCheckpoint(barrier, alignmentMs, capture);
          },
          inFlightComplete: (checkpointId: number) => {
            if (this.inFlight?.checkpointId !== checkpointId) return;
            this.inFlight.inputsCaughtUp();
            this.inFlight = undefined;
          },
        };
        const count = gate.channels.length;
        if (checkpointing.mode === "at-least-once") this.barrierHandler = new TrackingBarrierHandler(count, actions, clock);
        else if (checkpointing.unaligned !== true) this.barrierHandler = new AlignedBarrierHandler(count, actions, clock);
        else {
          const handler = new UnalignedBarrierHandler(count, actions, clock);
          this.barrierHandler = this.unalignedHandler = handler;
          gate.watchArrivals((channel, item) => {
            const swallowed = this.inFlight?.recorder?.onArrival(channel, item) === true;
            if ((item as { kind?: string }).kind === "barrier") {
              const barrier = item as CheckpointBarrier;
              this.enqueuePriority(() => {
                handler.onAnnounced(channel.index, barrier);
                return this.takeAlignedSnapshot();
              });
            }
            return swallowed;
          });
        }
      }
    }
  }

  get name(): string {
    return `${this.vertex.name} (${this.subtaskIndex + 1}/${this.vertex.parallelism})`;
  }

  get taskId(): string {
    return `${this.vertex.id}:${this.subtaskIndex}`;
  }

  /** Opens operators tail first, so nothing emits into an operator that is not open yet. */
  async open(): Promise<void> {
    for (let i = this.chain.length - 1; i >= 0; i--) {
      const m = this.chain[i]!;
      try {
        await m.operator?.open(m.context, m.output);
      } catch (e) {
        throw operatorFailure(m.name, e);
      }
    }
    if (this.input.kind === "source") {
      try {
        await this.input.reader.open?.();
      } catch (e) {
        throw operatorFailure(this.head.name, e);
      }
    }
    this.status = "running";
    const early = this.earlyEnumeratorEvents;
    this.earlyEnumeratorEvents = [];
    for (const apply of early) apply();
  }

  get backlogged(): boolean {
    for (const w of this.writers) if (w.backlogged) return true;
    return false;
  }

  runnable(): boolean {
    if (this.status === "finished") return false;
    if (this.priorityActions.length > 0) return true;
    if (this.backlogged) return false;
    if (this.actions.length > 0) return true;
    if (this.suspendedBy !== undefined) return this.input.kind === "network" && this.input.gate.hasData;
    if (this.hasMail()) return true;
    if (this.inputRoom() === 0) return false;
    if (this.status !== "running") return this.input.kind === "network" && this.input.gate.hasData;
    return this.input.kind === "source" ? !this.sourceWaiting : this.input.gate.hasData;
  }

  step(batchSize: number): void | Promise<void> {
    const action = this.priorityActions.shift() ?? this.actions.shift();
    if (action !== undefined) return action();
    if (this.suspendedBy !== undefined) return this.input.kind === "network" && this.input.gate.hasData ? this.processInput(this.input.gate, this.input.codec) : undefined;
    if (this.hasMail()) return this.processMail();
    if (this.input.kind === "source") return this.status === "running" ? this.pollSource(this.input.reader, Math.min(batchSize, this.inputRoom(), this.outputRoom())) : undefined;
    return this.processInput(this.input.gate, this.input.codec);
  }

  private hasMail(): boolean {
    for (const m of this.mailMembers) if (m.operator!.hasMail!()) return true;
    return false;
  }

  private processMail(): void {
    for (const m of this.mailMembers) {
      const operator = m.operator!;
      if (!operator.hasMail!()) continue;
      try {
        operator.processMail!();
      } catch (e) {
        throw operatorFailure(m.name, e);
      }
    }
  }

  /** How many records the chain's operators take now (Infinity when none limits them); at 0 the task leaves its input alone. */
  private inputRoom(): number {
    let room = Infinity;
    for (const m of this.gatingMembers) room = Math.min(room, m.operator!.inputRoom!());
    return room;
  }

  /**
   * How many records a source step polls at most: a batch for each output channel, at the sizes
   * their consumers announced (buffer debloating), so one step does not fill a debloated channel's
   * backlog with many small batches. Infinity when nothing was announced.
   */
  private outputRoom(): number {
    let room = Infinity;
    for (const w of this.writers) room = Math.min(room, w.announcedRoom());
    return room;
  }

  /** Checkpoint `barrier` starts here (sources only): snapshot at the next step, then emit the barrier. */
  triggerCheckpoint(barrier: CheckpointBarrier): void {
    if (barrier.alignedTimeoutMs === undefined) this.enqueue(() => this.performCheckpoint(barrier, 0));
    else this.enqueuePriority(() => this.performCheckpoint(this.status === "running" ? barrier : alignedBarrier(barrier), 0));
  }

  /**
   * What the source's enumerator sent; applied in the action queue, after a checkpoint trigger
   * that arrived before it (so a split assigned after the enumerator's snapshot stays out of the
   * reader's snapshot). A message that arrives while the task opens (the enumerator answering the
   * reader's registration, possibly within the reader's own `start()`) waits until the reader
   * started and is applied, in order, at the end of `open()`, before the first poll: no trigger
   * can have come before (they are sent once every task is open).
   */
  deliverEnumeratorEvent(message: EnumeratorToReader): void {
    if (this.input.kind !== "source" || this.input.driver === undefined) return;
    const driver = this.input.driver;
    const apply = () => {
      try {
        driver.handleEnumeratorEvent(message);
      } catch (e) {
        throw operatorFailure(this.head.name, e);
      }
    };
    if (this.status === "created") this.earlyEnumeratorEvents.push(apply);
    else this.enqueue(apply);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const id of this.wroteFor) if (id <= checkpointId) this.wroteFor.delete(id);
    this.checkpointing?.notifyComplete?.(checkpointId);
    this.enqueue(async () => {
      if (this.input.kind === "source") {
        try {
          this.input.reader.notifyCheckpointComplete?.(checkpointId);
        } catch (e) {
          throw operatorFailure(this.head.name, e);
        }
      }
      for (const m of this.chain) {
        try {
          await m.operator?.notifyCheckpointComplete?.(checkpointId);
        } catch (e) {
          throw operatorFailure(m.name, e);
        }
      }
    });
  }

  /** The job's final checkpoint (or its stop savepoint) completed: a task past end of data, or suspended, closes now. */
  finish(): void {
    this.enqueue(() => (this.status === "ending" || this.suspendedBy !== undefined ? this.close() : undefined));
  }

  /** Stop with drain: a running source task ends its input now (see the header). */
  drain(): void {
    this.enqueue(() => (this.status === "running" && this.input.kind === "source" ? this.endData(0) : undefined));
  }

  notifyCheckpointAborted(checkpointId: number): void {
    if (this.suspendedBy === checkpointId) {
      this.suspendedBy = undefined;
      this.wake();
    }
    this.abandonInFlight(checkpointId);
    const phase = this.asyncPhases.get(checkpointId);
    if (phase !== undefined) phase.abort.abort();
    else if (this.wroteFor.delete(checkpointId)) void this.discardAborted(checkpointId, true, this.checkpointing!);
    else if (this.status !== "finished") this.abortedEarly.add(checkpointId);
    this.enqueue(async () => {
      this.barrierHandler?.onAbort(checkpointId);
      await this.takeAlignedSnapshot();
      for (const m of this.chain) {
        try {
          await m.operator?.notifyCheckpointAborted?.(checkpointId);
        } catch (e) {
          throw operatorFailure(m.name, e);
        }
      }
    });
  }

  private enqueue(action: () => void | Promise<void>): void {
    if (this.status === "finished") return;
    this.actions.push(action);
    this.wake();
  }

  private enqueuePriority(action: () => void | Promise<void>): void {
    if (this.status === "finished") return;
    this.priorityActions.push(action);
    this.wake();
  }

  /** Stops collecting the channel state of checkpoint `checkpointId` (and of older ones): it cannot complete here. */
  private abandonInFlight(checkpointId: number): void {
    const capture = this.inFlight;
    if (capture === undefined || capture.checkpointId > checkpointId) return;
    this.inFlight = undefined;
    capture.abandon();
  }

  private pollSource(reader: SourceReader<unknown>, batchSize: number): void | Promise<void> {
    const out = this.head.output;
    const before = out.count;
    let status: InputStatus;
    this.time.at = Number.NaN;
    try {
      status = reader.pollNext(out, batchSize);
    } catch (e) {
      throw operatorFailure(this.head.name, e);
    }
    this.head.recordsIn += out.count - before;
    if (status === "end-of-input") return this.endData(0);
    if (status === "nothing-available") {
      this.sourceWaiting = true;
      const resume = () => {
        this.sourceWaiting = false;
        this.wake();
      };
      reader.isAvailable().then(resume, resume);
    }
  }

  private processInput(gate: InputGate, codec: BatchCodec): void | Promise<void> {
    const channel = gate.poll()!;
    const item = channel.queue.shift()!;
    if (isBatch(item)) {
      const timestamped = !Array.isArray(item) && !(item instanceof Uint8Array);
      const batch = timestamped ? item.records : item;
      channel.batchTaken();
      const records = Array.isArray(batch) ? batch : codec.decode(batch);
      const stamps = timestamped ? item.timestamps : undefined;
      const budget = this.stepBudgetMs();
      if (budget === undefined) this.processBatch(records, stamps, channel.inputIndex);
      else this.processBatchWithinStep(gate, channel, records, stamps, budget);
      return;
    }
    return this.processEvent(channel, item);
  }

  /** Hands records `from` up to `to` of a batch to the head operator, each with its timestamp (NaN: none) current. */
  private processBatch(records: unknown[], timestamps: Float64Array | undefined, inputIndex: 0 | 1, from = 0, to = records.length): void {
    const operator = this.head.operator!;
    const time = this.time;
    this.head.recordsIn += to - from;
    this.debloater?.recordsTaken(to - from);
    time.at = Number.NaN;
    if (timestamps === undefined) {
      for (let i = from; i < to; i++) operator.processElement(records[i], inputIndex);
      return;
    }
    for (let i = from; i < to; i++) {
      time.at = timestamps[i]!;
      operator.processElement(records[i], inputIndex);
    }
    time.at = Number.NaN;
  }

  /** How long a step may spend on a batch; undefined when it takes the whole batch. */
  private stepBudgetMs(): number | undefined {
    if (this.asyncPhases.size > 0) return WRITING_STEP_BUDGET_MS;
    return this.unalignedHandler === undefined ? undefined : STEP_BUDGET_MS;
  }

  /**
   * A step takes about `budgetMs` of a batch: the rest goes back to the front of its channel (its
   * credit was returned already), so a barrier that arrived meanwhile is handled, and a checkpoint
   * write goes on, after the step rather than after the whole batch.
   */
  private processBatchWithinStep(gate: InputGate, channel: InputChannel, records: unknown[], timestamps: Float64Array | undefined, budgetMs: number): void {
    const start = this.clock.now();
    let done = 0;
    while (done < records.length) {
      const run = nextRun(done, this.clock.now() - start, budgetMs);
      if (run === 0) {
        const rest = records.slice(done);
        gate.requeueFront(channel, timestamps === undefined ? rest : { kind: "timestamped", records: rest, timestamps: timestamps.slice(done) });
        return;
      }
      const end = Math.min(records.length, done + run);
      this.processBatch(records, timestamps, channel.inputIndex, done, end);
      done = end;
    }
  }

  private processEvent(channel: InputChannel, event: ChannelEvent): void | Promise<void> {
    switch (event.kind) {
      case "watermark":
        this.valve!.inputWatermark(channel.index, event.timestamp);
        return;
      case "watermark-status":
        this.valve!.inputWatermarkStatus(channel.index, event.idle);
        return;
      case "barrier":
        this.barrierHandler?.onBarrier(channel.index, event);
        return this.takeAlignedSnapshot();
      case "end-of-data":
        return this.channelDataEnded(channel);
      case "end-of-partition": {
        const ended = this.channelDataEnded(channel);
        this.barrierHandler?.onEndOfPartition(channel.index);
        const snapshot = this.takeAlignedSnapshot();
        if (ended === undefined) return snapshot;
        return snapshot === undefined ? ended : ended.then(() => snapshot);
      }
    }
  }

  private takeAlignedSnapshot(): Promise<void> | undefined {
    const snapshot = this.alignedSnapshot;
    this.alignedSnapshot = undefined;
    return snapshot?.();
  }

  private channelDataEnded(channel: InputChannel): void | Promise<void> {
    if (this.dataEnded.has(channel)) return;
    this.dataEnded.add(channel);
    if (this.suspendedBy !== undefined) return;
    this.valve!.channelEnded(channel.index);
    const inputIndex = channel.inputIndex;
    if (--this.openInputs[inputIndex] > 0) return;
    const allEnded = this.openInputs[0] === 0 && this.openInputs[1] === 0;
    const head = this.head;
    const ended = (async () => {
      try {
        await head.operator!.endInput?.(inputIndex);
      } catch (e) {
        throw operatorFailure(head.name, e);
      }
      if (allEnded) await this.endData(1);
    })();
    return ended;
  }

  /**
   * End of data: ends the input of chained operators in order (from `from`; the head's inputs
   * are ended already when it has inputs), forwards end of data, then closes at once or after the
   * final checkpoint.
   */
  private async endData(from: number): Promise<void> {
    this.status = "ending";
    if (from === 0) this.head.output.emitWatermark(MAX_WATERMARK);
    for (let i = from; i < this.chain.length; i++) {
      const m = this.chain[i]!;
      try {
        await m.operator?.endInput?.(0);
      } catch (e) {
        throw operatorFailure(m.name, e);
      }
    }
    for (const w of this.writers) w.broadcastEvent(END_OF_DATA);
    if (this.checkpointing === undefined) await this.close();
    else if (this.input.kind === "source") this.checkpointing.endOfData();
  }

  private async close(): Promise<void> {
    await this.closeOperators();
    await this.changelogs?.stop();
    this.disposeKeyedState();
    for (const w of this.writers) w.broadcastEvent(END_OF_PARTITION);
    this.status = "finished";
  }

  /** Lets the keyed state backends release their files; every snapshot was written or released by now. */
  private disposeKeyedState(): void {
    for (const m of this.chain) m.context.keyed?.backend.dispose();
  }

  private async closeOperators(): Promise<void> {
    if (this.input.kind === "source") {
      try {
        await this.input.reader.close?.();
      } catch (e) {
        throw operatorFailure(this.head.name, e);
      }
    }
    for (const m of this.chain) {
      try {
        await m.operator?.close?.();
      } catch (e) {
        throw operatorFailure(m.name, e);
      }
    }
  }

  /**
   * Releases resources after a failure or cancellation; every operator is closed, errors dropped.
   * Asynchronous phases under way are aborted and awaited, so nothing is written after this.
   */
  async dispose(): Promise<void> {
    this.disposing = true;
    const phases = [...this.asyncPhases.values()];
    for (const phase of phases) phase.abort.abort();
    await Promise.allSettled(phases.map((p) => p.done));
    await this.changelogs?.stop();
    if (this.status === "finished") return;
    this.status = "finished";
    this.actions.length = 0;
    if (this.input.kind === "source") await Promise.resolve(this.input.reader.close?.()).catch(() => {});
    for (const m of this.chain) await Promise.resolve(m.operator?.close?.()).catch(() => {});
    this.disposeKeyedState();
  }

  /**
   * The synchronous phase of a checkpoint: a consistent view of every operator's state, taken
   * between two records; then the barrier goes downstream and the rest runs asynchronously.
   */
  private async performCheckpoint(barrier: CheckpointBarrier, alignmentMs: number, unaligned?: InFlightCapture): Promise<void> {
    const checkpointing = this.checkpointing!;
    const id = barrier.checkpointId;
    const syncStart = this.clock.now();
    faultPoint("snapshot-sync");
    const snapshots: MemberSnapshot[] = [];
    for (const aborted of this.abortedEarly) if (aborted < id) this.abortedEarly.delete(aborted);
    for (const m of this.chain) {
      const keyed = m.context.keyed;
      let state: unknown;
      try {
        if (m.operator !== undefined) state = await m.operator.snapshotState?.(id, barrier.timestamp);
        else if (this.input.kind === "source") state = this.input.reader.snapshotState?.(id);
      } catch (e) {
        throw operatorFailure(m.name, e);
      }
      const timers = keyed === undefined ? [] : keyed.timers.snapshot();
      const operatorState = m.context.operatorStateStore?.snapshot();
      const operatorId = m.context.operatorId;
      // A savepoint takes the full keyed state, outside the chain, whose tracked changes it leaves alone.
      const part = keyed?.incremental === true && barrier.savepoint !== true ? this.changelogs!.snapshot(operatorId, keyed.backend, id, (bytes, checksum) => checkpointing.writeSharedState(operatorId, this.subtaskIndex, bytes, checksum)) : undefined;
      snapshots.push({
        member: m,
        keyed: part?.keyed ?? keyed?.backend.snapshot(),
        ...(part === undefined ? {} : { link: part.link }),
        captured: timers.length === 0 && state === undefined && operatorState === undefined ? undefined : captureOperatorState(timers, state, operatorState, `operator '${m.name}'`),
      });
    }
    const syncMs = this.clock.now() - syncStart;
    let capture = unaligned;
    if (overtakes(barrier, this.clock.now())) {
      capture ??= new InFlightCapture(id, this.input.kind === "network" ? this.input.codec : (this.sourceCodec ??= new BatchCodec()), undefined);
      capture.overtook(this.writers.map((w) => w.overtakeWith(barrier)));
    } else {
      for (const w of this.writers) w.broadcastEvent(barrier);
    }
    capture?.snapshotTaken();
    if (barrier.suspend === true) this.suspendedBy = id;
    if (this.abortedEarly.delete(id)) {
      for (const s of snapshots) s.keyed?.release();
      for (const s of snapshots) if (s.link !== undefined) this.changelogs!.lost(s.link);
      this.abandonInFlight(id);
      return;
    }
    const abort = new AbortController();
    const write = () => this.writeSnapshot(id, snapshots, syncMs, alignmentMs, checkpointing, abort.signal, capture?.done);
    const done = (this.changelogs === undefined ? write() : this.changelogs.inOrder(write)).finally(() => this.asyncPhases.delete(id));
    this.asyncPhases.set(id, { abort, done });
  }

  /**
   * The asynchronous phase: encodes keyed state in slices of key groups (see EncodingSlices), writes, acknowledges. Once
   * `aborted` fires it writes nothing more, does not answer, and deletes what it wrote.
   */
  private async writeSnapshot(
    id: number,
    snapshots: MemberSnapshot[],
    syncMs: number,
    alignmentMs: number,
    checkpointing: TaskCheckpointing,
    aborted: AbortSignal,
    channelStateDone: Promise<ChannelState | undefined> | undefined,
  ): Promise<void> {
    const asyncStart = this.clock.now();
    // Slow storage simulated by the fault hooks paces every step; otherwise steps run in slices.
    const stepPause = snapshotStepPause();
    const handles: OperatorStateHandle[] = [];
    let bytes = 0;
    let inFlight = 0;
    let wrote = false;
    /** The chain links written so far; the others are lost if this phase does not end well. */
    const linked = new Set<MemberSnapshot>();
    const loseUnwritten = (): void => {
      for (const s of snapshots) if (s.link !== undefined && !linked.has(s)) this.changelogs!.lost(s.link);
    };
    try {
      for (const s of snapshots) {
        let channels: Uint8Array | undefined;
        if (s === snapshots[0] && channelStateDone !== undefined) {
          const channelState = await untilAborted(channelStateDone, aborted);
          if (channelState === undefined) {
            // Abandoned (declined or aborted): whoever abandoned it answered for this task.
            for (const m of snapshots) m.keyed?.release();
            loseUnwritten();
            return this.discardAborted(id, wrote, checkpointing);
          }
          if (!isEmptyChannelState(channelState)) {
            channels = encodeChannelState(channelState);
            inFlight = inFlightBytes(channelState);
          }
        }
        let keyed: Uint8Array | undefined;
        if (s.keyed !== undefined) {
          const steps = s.keyed.write();
          const slices = new EncodingSlices(this.clock);
          for (let step = steps.next(); !aborted.aborted; step = steps.next()) {
            if (step.done) {
              keyed = step.value;
              break;
            }
            if (stepPause !== undefined) await stepPause();
            else if (slices.turnDue()) {
              await yieldToEventLoop();
              slices.resumed();
            }
          }
          s.keyed.release();
        }
        if (aborted.aborted) break;
        const operatorId = s.member.context.operatorId;
        const range = s.member.context.keyed?.backend.keyGroupRange;
        const push = (handle: StateHandle): void => {
          handles.push({ operatorId, subtask: this.subtaskIndex, handle, ...(range === undefined ? {} : { keyGroupRange: { start: range.start, end: range.end } }) });
        };
        if (s.link !== undefined && keyed !== undefined) {
          // The keyed state goes to shared/ (the chain's files, base first), the rest to the checkpoint's own file.
          faultPoint("snapshot-async");
          const persisted = await this.changelogs!.persist(s.link, keyed, (content) => checkpointing.writeSharedState(operatorId, this.subtaskIndex, content));
          linked.add(s);
          bytes += persisted.bytes;
          for (const reference of persisted.references) push(reference);
          keyed = undefined;
        }
        if (keyed === undefined && s.captured === undefined && channels === undefined) continue;
        const content = encodeCapturedSnapshot(keyed, s.captured ?? NOTHING_CAPTURED, channels);
        faultPoint("snapshot-async");
        wrote = true;
        const handle = await checkpointing.writeState(id, operatorId, this.subtaskIndex, content);
        bytes += handle.bytes;
        push(handle);
      }
    } catch (e) {
      for (const s of snapshots) s.keyed?.release();
      loseUnwritten();
      if (aborted.aborted) return this.discardAborted(id, wrote, checkpointing);
      if (this.status === "finished" || this.disposing) return;
      if (wrote) this.wroteFor.add(id);
      checkpointing.decline(id, `subtask ${this.name} could not write its state: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (aborted.aborted) {
      for (const s of snapshots) s.keyed?.release();
      loseUnwritten();
      return this.discardAborted(id, wrote, checkpointing);
    }
    if (wrote) this.wroteFor.add(id);
    checkpointing.acknowledge({
      checkpointId: id,
      stats: { syncDurationMs: syncMs, asyncDurationMs: this.clock.now() - asyncStart, alignmentDurationMs: alignmentMs, bytes, ...(inFlight > 0 ? { inFlightBytes: inFlight } : {}) },
      operators: handles,
    });
  }

  /** Deletes checkpoint `id`'s directory if this task wrote into it; a failure leaves files that retention removes later. */
  private async discardAborted(id: number, wrote: boolean, checkpointing: TaskCheckpointing): Promise<void> {
    if (wrote && !this.disposing) await checkpointing.discard(id).catch(() => {});
  }

  /** Fires due processing-time timers, sends batches whose buffer timeout passed, and announces debloated batch sizes. */
  onTime(now: number, bufferTimeoutMs: number): void {
    const batchSize = this.debloater?.onTime();
    if (batchSize !== undefined && this.input.kind === "network") for (const channel of this.input.gate.channels) channel.announceBatchSize(batchSize);
    const alignmentDeadline = this.unalignedHandler?.alignmentDeadline;
    if (alignmentDeadline !== undefined && alignmentDeadline <= now && !this.alignmentCheckQueued) {
      this.alignmentCheckQueued = true;
      this.enqueuePriority(() => {
        this.alignmentCheckQueued = false;
        this.unalignedHandler!.onTime();
        return this.takeAlignedSnapshot();
      });
    }
    if (this.status !== "running" || this.suspendedBy !== undefined) return;
    if (!this.backlogged) {
      for (const m of this.chain) {
        const op = m.operator;
        if (op?.nextTimerTime === undefined) continue;
        const due = op.nextTimerTime();
        if (due !== undefined && due <= now) op.onProcessingTime!(now);
      }
    }
    for (const w of this.writers) {
      const deadline = w.flushDeadline(bufferTimeoutMs);
      if (deadline !== undefined && deadline <= now) w.flush();
    }
  }

  /** The earliest time this task must be woken for a timer or a buffer timeout. */
  nextDeadline(bufferTimeoutMs: number): number | undefined {
    let next: number | undefined;
    const consider = (t: number | undefined): void => {
      if (t !== undefined && (next === undefined || t < next)) next = t;
    };
    consider(this.unalignedHandler?.alignmentDeadline);
    if (this.status !== "running" || this.suspendedBy !== undefined) return next;
    // A backlogged task fires no timers; the credit that clears the backlog wakes it.
    if (!this.backlogged) for (const m of this.chain) consider(m.operator?.nextTimerTime?.());
    for (const w of this.writers) consider(w.flushDeadline(bufferTimeoutMs));
    return next;
  }

  metrics(): TaskMetrics {
    let recordsIn = this.head.recordsIn;
    return {
      vertex: this.vertex.id,
      subtask: this.subtaskIndex,
      operators: this.chain.map((m, i) => {
        if (i > 0) {
          const input = m.node.inputs[0];
          const parent = this.chain.find((p) => input?.source === p.node.id);
          const feed = input?.outputTag === undefined ? parent?.output : parent?.sideOutputs.get(input.outputTag);
          recordsIn = feed?.count ?? 0;
        }
        const connector = m.operator === undefined ? (this.input.kind === "source" ? this.input.reader.metrics?.() : undefined) : m.operator.connectorMetrics?.();
        return { nodeId: m.node.id, name: m.name, recordsIn, recordsOut: m.output.count, ...(connector === undefined ? {} : { connector }) };
      }),
    };
  }
}
