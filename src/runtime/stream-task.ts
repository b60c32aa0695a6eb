/**
 * One subtask of a vertex: its operator chain, its input (a source reader or an input gate), and
 * its record writers. The executor calls `step` when `runnable`; each step handles one unit (a
 * source poll, a batch or an event) on the executor's thread, so operators need no locks.
 * Lifecycle: open → running → (end of input) finishing → finished.
 */
import type { JobVertex } from "../graph/job-graph.ts";
import type { InputStatus, SourceReader } from "../sources/source.ts";
import type { ChainMember } from "./operator-chain.ts";
import type { TaskMetrics } from "./metrics.ts";
import type { BatchCodec } from "./network/batch-codec.ts";
import { END_OF_PARTITION } from "./network/channel-item.ts";
import type { InputGate } from "./network/input-gate.ts";
import type { RecordWriter } from "./network/record-writer.ts";
import { operatorFailure } from "./operators/user-function.ts";

export type TaskStatus = "created" | "running" | "finishing" | "finished";

export type TaskInput =
  | { readonly kind: "source"; readonly reader: SourceReader<unknown> }
  | { readonly kind: "network"; readonly gate: InputGate; readonly codec: BatchCodec };

export class StreamTask {
  status: TaskStatus = "created";
  private sourceWaiting = false;
  private readonly openChannels: [number, number] = [0, 0];
  private readonly head: ChainMember;

  constructor(
    readonly vertex: JobVertex,
    readonly subtaskIndex: number,
    readonly chain: readonly ChainMember[],
    private readonly input: TaskInput,
    readonly writers: readonly RecordWriter[],
    /** Called when a waiting source may make progress again. */
    private readonly wake: () => void,
  ) {
    this.head = chain[0]!;
    if (input.kind === "network") for (const c of input.gate.channels) this.openChannels[c.inputIndex]++;
  }

  get name(): string {
    return `${this.vertex.name} (${this.subtaskIndex + 1}/${this.vertex.parallelism})`;
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
  }

  get backlogged(): boolean {
    for (const w of this.writers) if (w.backlogged) return true;
    return false;
  }

  runnable(): boolean {
    if (this.status !== "running" || this.backlogged) return false;
    return this.input.kind === "source" ? !this.sourceWaiting : this.input.gate.hasData;
  }

  step(batchSize: number): void | Promise<void> {
    return this.input.kind === "source" ? this.pollSource(this.input.reader, batchSize) : this.processInput(this.input.gate, this.input.codec);
  }

  private pollSource(reader: SourceReader<unknown>, batchSize: number): void | Promise<void> {
    const out = this.head.output;
    const before = out.count;
    let status: InputStatus;
    try {
      status = reader.pollNext(out, batchSize);
    } catch (e) {
      throw operatorFailure(this.head.name, e);
    }
    this.head.recordsIn += out.count - before;
    if (status === "end-of-input") return this.finish();
    if (status === "nothing-available") {
      this.sourceWaiting = true;
      reader.isAvailable().then(
        () => {
          this.sourceWaiting = false;
          this.wake();
        },
        () => {
          this.sourceWaiting = false;
          this.wake();
        },
      );
    }
  }

  private processInput(gate: InputGate, codec: BatchCodec): void | Promise<void> {
    const channel = gate.poll()!;
    const item = channel.queue.shift()!;
    if (Array.isArray(item) || item instanceof Uint8Array) {
      const records = Array.isArray(item) ? item : codec.decode(item);
      channel.returnCredit(1);
      const head = this.head;
      const operator = head.operator!;
      const inputIndex = channel.inputIndex;
      head.recordsIn += records.length;
      for (let i = 0; i < records.length; i++) operator.processElement(records[i], inputIndex);
      return;
    }
    channel.ended = true;
    const remaining = --this.openChannels[channel.inputIndex];
    if (remaining === 0) {
      const done = this.openChannels[0] === 0 && this.openChannels[1] === 0;
      const ended = this.head.operator!.endInput?.(channel.inputIndex);
      if (done) return ended instanceof Promise ? ended.then(() => this.finish(1)) : this.finish(1);
      return ended;
    }
  }

  /**
   * End of all input: ends the input of chained operators in order (the head's inputs are ended
   * already, from index `from` on), closes them, flushes and ends every output channel.
   */
  private async finish(from = 0): Promise<void> {
    this.status = "finishing";
    for (let i = from; i < this.chain.length; i++) await this.chain[i]!.operator?.endInput?.(0);
    await this.closeOperators();
    for (const w of this.writers) w.broadcastEvent(END_OF_PARTITION);
    this.status = "finished";
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

  /** Releases resources after a failure or cancellation; errors here are secondary and dropped. */
  async dispose(): Promise<void> {
    if (this.status === "finished") return;
    this.status = "finished";
    try {
      await this.closeOperators();
    } catch {
      // The failure that led here is the one reported.
    }
  }

  /** Fires due processing-time timers and sends batches whose buffer timeout passed. */
  onTime(now: number, bufferTimeoutMs: number): void {
    if (this.status !== "running") return;
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
    if (this.status !== "running") return undefined;
    for (const m of this.chain) consider(m.operator?.nextTimerTime?.());
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
          const parent = this.chain.find((p) => m.node.inputs[0]?.source === p.node.id);
          recordsIn = parent?.output.count ?? 0;
        }
        return { nodeId: m.node.id, name: m.name, recordsIn, recordsOut: m.output.count };
      }),
    };
  }
}
