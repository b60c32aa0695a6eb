/**
 * Where each subtask runs and which channels connect them. Subtask i of every vertex belongs to
 * slot i (slot sharing, as in Flink): a slot holds at most one subtask per vertex, and is built
 * from its own copy of the job. Slots are spread round-robin over the workers. Channels are
 * numbered the same way in every worker, so a number names one channel job-wide.
 */
import type { JobEdge, JobGraph } from "../graph/job-graph.ts";

export interface ChannelSpec {
  readonly id: number;
  readonly edge: JobEdge;
  readonly producer: number;
  readonly consumer: number;
}

export class ExecutionPlan {
  readonly slots: number;
  readonly workers: number;
  private readonly channelsByEdge: ChannelSpec[][] = [];

  constructor(
    readonly job: JobGraph,
    maxWorkers: number,
  ) {
    this.slots = Math.max(...job.vertices.map((v) => v.parallelism));
    this.workers = Math.max(1, Math.min(maxWorkers, this.slots));
    let next = 0;
    for (const edge of job.edges) {
      const producers = job.vertices[edge.source]!.parallelism;
      const consumers = job.vertices[edge.target]!.parallelism;
      const specs: ChannelSpec[] = [];
      if (edge.partitioning.kind === "forward") {
        for (let i = 0; i < producers; i++) specs.push({ id: next++, edge, producer: i, consumer: i });
      } else {
        for (let i = 0; i < producers; i++) for (let j = 0; j < consumers; j++) specs.push({ id: next++, edge, producer: i, consumer: j });
      }
      this.channelsByEdge.push(specs);
    }
  }

  workerOfSlot(slot: number): number {
    return slot % this.workers;
  }

  slotsOfWorker(worker: number): number[] {
    const slots: number[] = [];
    for (let s = worker; s < this.slots; s += this.workers) slots.push(s);
    return slots;
  }

  /** The channels a consumer subtask reads, in edge order. */
  inputChannels(edgeIndex: number, consumer: number): ChannelSpec[] {
    return this.channelsByEdge[edgeIndex]!.filter((c) => c.consumer === consumer);
  }

  /** The channels a producer subtask writes to on one edge, ordered by consumer subtask. */
  outputChannels(edgeIndex: number, producer: number): ChannelSpec[] {
    return this.channelsByEdge[edgeIndex]!.filter((c) => c.producer === producer);
  }
}
