/**
 * The channel state of one unaligned checkpoint at one task, as it is being collected: the output
 * batches its barrier overtook (known at the snapshot) and the input batches still in flight
 * (known once every input channel delivered the barrier; see in-flight-recorder.ts). `done`
 * settles with the whole state, or with undefined when the checkpoint was abandoned here.
 */
import type { BatchCodec } from "./batch-codec.ts";
import { captureBatch, type ChannelState, type InFlightBatch, type OutputChannelState } from "./channel-state.ts";
import type { ChannelItem } from "./channel-item.ts";
import type { InputGate } from "./input-gate.ts";
import { InFlightRecorder } from "./in-flight-recorder.ts";

export class InFlightCapture {
  readonly done: Promise<ChannelState | undefined>;
  private settle!: (state: ChannelState | undefined) => void;
  private outputs: OutputChannelState[] = [];
  private inputsComplete = false;
  private snapshotOver = false;
  private settled = false;
  /** Undefined for a task without network input (a source). */
  readonly recorder: InFlightRecorder | undefined;

  constructor(
    readonly checkpointId: number,
    private readonly codec: BatchCodec,
    input: { readonly gate: InputGate; readonly inPosition: ReadonlySet<number> } | undefined,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.recorder = input === undefined ? undefined : new InFlightRecorder(checkpointId, codec, input.gate, input.inPosition);
    if (input === undefined) this.inputsComplete = true;
  }

  /** Per writer, per channel: the batches the barrier overtook, copied now. */
  overtook(perWriter: readonly (readonly ChannelItem[][])[]): void {
    perWriter.forEach((channels, writer) =>
      channels.forEach((items, channel) => {
        const batches = items.map((item) => captureBatch(item, this.codec)).filter((b): b is InFlightBatch => b !== undefined);
        if (batches.length > 0) this.outputs.push({ writer, channel, batches });
      }),
    );
  }

  /** Every input channel delivered the barrier: the state is complete. */
  inputsCaughtUp(): void {
    this.inputsComplete = true;
    this.finishIfComplete();
  }

  /** The synchronous phase is over (the output state is known). */
  snapshotTaken(): void {
    this.snapshotOver = true;
    this.finishIfComplete();
  }

  private finishIfComplete(): void {
    if (this.inputsComplete && this.snapshotOver) this.finish({ inputs: this.recorder?.state() ?? [], outputs: this.outputs });
  }

  abandon(): void {
    this.finish(undefined);
  }

  private finish(state: ChannelState | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(state);
  }
}
