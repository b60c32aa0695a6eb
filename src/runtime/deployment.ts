/**
 * Builds the tasks of one thread from the execution plan: operator chains, record writers over
 * output channels, input gates over input channels. A channel between two tasks of this thread
 * hands record arrays over directly; a channel to another thread goes through the transport,
 * which encodes batches. Credits flow back the same way.
 *
 * A task restored from an unaligned checkpoint replays its channel state before anything else
 * moves: every task's input channels first get the batches they held in flight, then every task's
 * output channels send the batches its barrier overtook; only then do new records follow.
 */
import type { JobArgs } from "../api/job-args.ts";
import type { Clock } from "../core/clock.ts";
import { internalError } from "../core/errors.ts";
import type { JobGraph } from "../graph/job-graph.ts";
import type { ExecutionPlan } from "./execution-plan.ts";
import { BatchCodec } from "./network/batch-codec.ts";
import type { ChannelItem } from "./network/channel-item.ts";
import { InputChannel, InputGate } from "./network/input-gate.ts";
import { OutputChannel } from "./network/output-channel.ts";
import { createRecordWriter } from "./network/record-writer.ts";
import { BUFFER_DEBLOAT_DEFAULTS, BufferDebloater } from "./network/buffer-debloater.ts";
import { buildOperatorChain } from "./operator-chain.ts";
import { RecordTimestamp } from "./record-timestamp.ts";
import type { ClientChannel } from "./operators/operator.ts";
import { faultHooksDeploying, withRestoredSourceDelay } from "./fault-hooks.ts";
import { StreamTask, type TaskInput } from "./stream-task.ts";
import { batchItem, decodeChannelState, type ChannelState } from "./network/channel-state.ts";
import { TaskExecutor } from "./task-executor.ts";
import type { RestoredOperatorState, TaskCheckpointing } from "./task-checkpointing.ts";
import { operatorIdOf } from "../graph/job-graph.ts";
import { isSplitSource } from "../sources/split-source.ts";
import { SplitSourceDriver } from "./split-source-driver.ts";
import type { ReaderToEnumerator } from "./source-events.ts";

/** Batches a consumer has room for, per channel. */
export const CHANNEL_CREDITS = 4;

/** Carries items, credits and announced batch sizes to other threads. */
export interface Transport {
  sendItem(worker: number, channelId: number, item: ChannelItem): void;
  sendCredit(worker: number, channelId: number, credits: number): void;
  sendBatchSize(worker: number, channelId: number, records: number): void;
}

export interface DeploymentSettings {
  readonly plan: ExecutionPlan;
  readonly worker: number;
  /** This thread's own build of the job for each of its slots. */
  readonly jobForSlot: (slot: number) => JobGraph;
  readonly args: JobArgs;
  readonly clock: Clock;
  readonly client: ClientChannel;
  readonly transport: Transport | undefined;
  readonly bufferSize: number;
  readonly bufferTimeoutMs: number;
  /** Set with buffer debloating: how long the records in flight towards a task should take it to process. */
  readonly bufferDebloatTargetMs?: number | undefined;
  /** Records pass between operators without copies (see record-ownership.ts). */
  readonly objectReuse: boolean;
  /** Set when checkpoints may be unaligned: the alignment timeout their barriers carry. */
  readonly alignedCheckpointTimeoutMs?: number | undefined;
  /** The job's checkpoint interval; undefined when the job takes no checkpoints. */
  readonly checkpointIntervalMs: number | undefined;
  /** How each task takes part in checkpoints; undefined when the job takes none. */
  readonly checkpointing: ((task: { readonly taskId: string }) => TaskCheckpointing) | undefined;
  /** Restored state of an operator's subtask, if the job restores from a checkpoint. */
  readonly restored: (operatorId: string, subtask: number) => RestoredOperatorState | undefined;
  /** Carries what the reader of a split-based source in task `taskId` tells the source's enumerator. */
  readonly toEnumerator: (taskId: string, message: ReaderToEnumerator) => void;
}

export interface Deployment {
  readonly executor: TaskExecutor;
  readonly codec: BatchCodec;
  /** Delivers an item that arrived from another thread. */
  deliver(channelId: number, item: ChannelItem): void;
  /** Grants credit that arrived from another thread. */
  grant(channelId: number, credits: number): void;
  /** A batch size a consumer on another thread announced. */
  resize(channelId: number, records: number): void;
}

export function deploy(settings: DeploymentSettings): Deployment {
  faultHooksDeploying();
  const { plan, worker, transport, clock } = settings;
  const executor = new TaskExecutor({ bufferSize: settings.bufferSize, bufferTimeoutMs: settings.bufferTimeoutMs, clock, alignedCheckpointTimeoutMs: settings.alignedCheckpointTimeoutMs });
  const restoredChannels: { task: StreamTask; gate: InputGate | undefined; state: ChannelState }[] = [];
  const codec = new BatchCodec();
  const inputs = new Map<number, { channel: InputChannel; gate: InputGate }>();
  const outputs = new Map<number, OutputChannel>();
  const remote = (): Transport => {
    if (transport === undefined) throw internalError("a channel crosses threads, but this runtime has no transport");
    return transport;
  };

  for (const slot of plan.slotsOfWorker(worker)) {
    const job = settings.jobForSlot(slot);
    for (const vertex of job.vertices) {
      if (slot >= vertex.parallelism) continue;
      const recordTimestamp = new RecordTimestamp();
      const writers = vertex.outputs.map((edge) => {
        const specs = plan.outputChannels(job.edges.indexOf(edge), slot);
        const channels = specs.map((spec) => {
          const consumerWorker = plan.workerOfSlot(spec.consumer);
          const transmit =
            consumerWorker === worker
              ? (item: ChannelItem) => {
                  const input = inputs.get(spec.id)!;
                  input.gate.push(input.channel, item);
                }
              : (item: ChannelItem) => remote().sendItem(consumerWorker, spec.id, item);
          const channel = new OutputChannel(spec.id, CHANNEL_CREDITS, transmit, consumerWorker === worker);
          outputs.set(spec.id, channel);
          executor.outputChannels.push(channel);
          return channel;
        });
        return createRecordWriter(edge.partitioning, channels, {
          bufferSize: settings.bufferSize,
          clock,
          maxParallelism: job.maxParallelism,
          subtaskIndex: slot,
          objectReuse: settings.objectReuse,
          recordTimestamp,
        });
      });
      const restored = (operatorId: string) => settings.restored(operatorId, slot);
      const chain = buildOperatorChain(vertex, {
        job,
        subtaskIndex: slot,
        args: settings.args,
        clock,
        client: settings.client,
        writers,
        checkpointing: settings.checkpointing !== undefined,
        checkpointIntervalMs: settings.checkpointIntervalMs,
        objectReuse: settings.objectReuse,
        recordTimestamp,
        restored,
        requestStep: executor.wake,
      });
      const head = vertex.nodes[0]!;
      let input: TaskInput;
      const taskId = `${vertex.id}:${slot}`;
      if (head.kind === "source") {
        const restoredHead = restored(operatorIdOf(head));
        const readerContext = { subtaskIndex: slot, parallelism: vertex.parallelism, args: settings.args, clock };
        const source = head.source;
        if (isSplitSource(source)) {
          const driver = new SplitSourceDriver(source, readerContext, chain[0]!.context.operatorStateStore!, (message) => settings.toEnumerator(taskId, message), recordTimestamp);
          input = { kind: "source", reader: restoredHead === undefined ? driver : withRestoredSourceDelay(driver), driver };
        } else {
          const restoredState = restoredHead?.state;
          const created = source.createReader({ ...readerContext, restoredState });
          input = { kind: "source", reader: restoredState === undefined ? created : withRestoredSourceDelay(created) };
        }
      } else {
        const channels: InputChannel[] = [];
        for (const edge of vertex.inputs) {
          for (const spec of plan.inputChannels(job.edges.indexOf(edge), slot)) {
            const producerWorker = plan.workerOfSlot(spec.producer);
            const returnCredit =
              producerWorker === worker
                ? (n: number) => outputs.get(spec.id)!.addCredits(n)
                : (n: number) => remote().sendCredit(producerWorker, spec.id, n);
            const announceBatchSize =
              producerWorker === worker
                ? (n: number) => outputs.get(spec.id)!.announceBatchSize(n)
                : (n: number) => remote().sendBatchSize(producerWorker, spec.id, n);
            channels.push(new InputChannel(spec.id, edge.inputIndex, returnCredit, announceBatchSize));
          }
        }
        const gate = new InputGate(channels);
        for (const channel of channels) inputs.set(channel.id, { channel, gate });
        const targetMs = settings.bufferDebloatTargetMs;
        const debloater =
          targetMs === undefined
            ? undefined
            : new BufferDebloater({ ...BUFFER_DEBLOAT_DEFAULTS, targetMs, buffers: channels.length * CHANNEL_CREDITS, maxBufferSize: settings.bufferSize }, clock);
        input = { kind: "network", gate, codec, ...(debloater === undefined ? {} : { debloater }) };
      }
      const checkpointing = settings.checkpointing?.({ taskId });
      const task = new StreamTask(vertex, slot, chain, input, writers, executor.wake, clock, checkpointing, recordTimestamp);
      executor.tasks.push(task);
      const channelState = restored(operatorIdOf(head))?.channelState;
      if (channelState !== undefined) {
        const state = decodeChannelState(channelState, `task ${taskId} (operator '${operatorIdOf(head)}')`);
        restoredChannels.push({ task, gate: input.kind === "network" ? input.gate : undefined, state });
      }
    }
  }
  for (const { gate, state } of restoredChannels) {
    if (gate === undefined) continue;
    for (const { channel, batches } of state.inputs) for (const batch of batches) gate.channels[channel]!.restoreBatch(batchItem(batch));
    gate.markRestored();
  }
  for (const { task, state } of restoredChannels) {
    for (const { writer, channel, batches } of state.outputs) task.writers[writer]!.replay(channel, batches.map(batchItem));
  }

  return {
    executor,
    codec,
    deliver(channelId, item) {
      const input = inputs.get(channelId);
      if (input === undefined) throw internalError(`item for unknown channel ${channelId} on worker ${worker}`);
      input.gate.push(input.channel, item);
      executor.wake();
    },
    grant(channelId, credits) {
      const channel = outputs.get(channelId);
      if (channel === undefined) throw internalError(`credit for unknown channel ${channelId} on worker ${worker}`);
      channel.addCredits(credits);
      executor.wake();
    },
    resize(channelId, records) {
      const channel = outputs.get(channelId);
      if (channel === undefined) throw internalError(`batch size for unknown channel ${channelId} on worker ${worker}`);
      channel.announceBatchSize(records);
    },
  };
}
