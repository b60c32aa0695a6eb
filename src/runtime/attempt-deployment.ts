/**
 * Deploys the part of an attempt one thread runs: builds the job once per slot (each build must
 * match the coordinator's graph), reads the restored state of its subtasks, and wires tasks to
 * checkpoint storage and to whoever hears their reports. Shared by worker threads and the
 * single-thread runtime.
 */
import { buildJob } from "../api/define-job.ts";
import { JobArgs } from "../api/job-args.ts";
import type { IoThreadVolume } from "../checkpoint/storage/io-thread-volume.ts";
import { FileCheckpointStorage } from "../checkpoint/storage/file-checkpoint-storage.ts";
import { checkpointId } from "../checkpoint/storage/checkpoint-id.ts";
import { isInlineState } from "../checkpoint/storage/checkpoint-metadata.ts";
import { WeirError } from "../core/errors.ts";
import { fingerprint } from "../graph/job-graph.ts";
import type { AttemptSpec } from "./master/attempt.ts";
import { deploy, type Deployment, type Transport } from "./deployment.ts";
import { ExecutionPlan } from "./execution-plan.ts";
import { loadRestoredStates, NOTHING_RESTORED, operatorSubtasks, type RestoredFile } from "./restored-states.ts";
import { LocalStatePaths } from "../checkpoint/local/local-state-paths.ts";
import { TaskLocalStateStore } from "../checkpoint/local/task-local-state-store.ts";
import { restoreClockReading, type StateRestoreReport } from "./state-restore-report.ts";
import { buildSlotJobs } from "./slot-jobs.ts";
import { faultPoint } from "./fault-hooks.ts";
import type { TaskCheckpointing, TaskSnapshotAck } from "./task-checkpointing.ts";
import type { ReaderToEnumerator } from "./source-events.ts";

/** Where a thread's tasks report to. */
export interface AttemptReporter {
  acknowledge(taskId: string, ack: TaskSnapshotAck): void;
  decline(taskId: string, checkpointId: number, reason: string): void;
  endOfData(taskId: string): void;
  collect(sinkId: string, records: unknown[]): void;
  /** What the reader of a split-based source in task `taskId` tells the source's enumerator. */
  toEnumerator(taskId: string, message: ReaderToEnumerator): void;
  /** The thread restored its tasks' state from a checkpoint (before they open). */
  restored(report: StateRestoreReport): void;
  /** Advice that does not stop the job, for the run's warnings (RunOptions.onWarning). */
  warning?(message: string): void;
}

export type ThreadSpec = Pick<AttemptSpec, "definition" | "overrides" | "args" | "maxWorkers" | "fingerprint" | "checkpointing" | "restore" | "clock">;

/**
 * `checkpointIo`: given, the thread's tasks write their checkpoint files on that volume's thread
 * (see IoThreadVolume), which ends with the calling thread; a worker thread gives one. Otherwise
 * they write them on the calling thread.
 */
export async function deployAttemptThread(spec: ThreadSpec, worker: number, transport: Transport | undefined, reporter: AttemptReporter, checkpointIo?: IoThreadVolume): Promise<Deployment> {
  const first = await buildJob(spec.definition, spec.overrides, spec.args);
  if (fingerprint(first.job) !== spec.fingerprint) {
    throw new WeirError(
      "WEIR_ERR_NONDETERMINISTIC_JOB",
      `worker ${worker} built a different job graph from the coordinator's: the job's build function must build the same pipeline every time`,
    );
  }
  const plan = new ExecutionPlan(first.job, spec.maxWorkers);
  const slots = plan.slotsOfWorker(worker);
  const jobs = await buildSlotJobs(spec.definition, spec.overrides, spec.args, slots.slice(1), spec.fingerprint);
  jobs.set(slots[0]!, first.job);
  const storage =
    spec.checkpointing === undefined
      ? undefined
      : new FileCheckpointStorage({
          jobId: spec.checkpointing.jobId,
          root: spec.checkpointing.root,
          ...(spec.checkpointing.memoryThreshold === undefined ? {} : { memoryThreshold: spec.checkpointing.memoryThreshold }),
          ...(checkpointIo === undefined ? {} : { volume: checkpointIo }),
        });
  const localDir = spec.checkpointing?.localRecoveryDir;
  const local = localDir === undefined ? undefined : new LocalStatePaths(localDir, spec.checkpointing!.jobId);
  const restoreStart = restoreClockReading();
  const files: RestoredFile[] = [];
  const restored =
    spec.restore === undefined || storage === undefined
      ? NOTHING_RESTORED
      : await loadRestoredStates(spec.restore, storage, operatorSubtasks(first.job, slots), { local, onFile: (file) => files.push(file) });
  const config = first.env.getConfig();
  const checkpointing =
    spec.checkpointing === undefined || storage === undefined
      ? undefined
      : ({ taskId }: { taskId: string }): TaskCheckpointing => {
          const store = local === undefined ? undefined : new TaskLocalStateStore(local);
          return {
            mode: spec.checkpointing!.mode,
            unaligned: spec.checkpointing!.alignedCheckpointTimeoutMs !== undefined,
            writeState: (id, operatorId, subtask, bytes) =>
              storage.writeState(checkpointId(id), { operatorId, subtask }, bytes, store === undefined ? undefined : (handle) => store.store(id, { operatorId, subtask }, handle, bytes)),
            writeSharedState: (operatorId, subtask, bytes, checksum) => storage.writeSharedState({ operatorId, subtask }, bytes, checksum),
            discard: async (id) => {
              await Promise.all([storage.discard(checkpointId(id)), store?.discard(id)]);
            },
            acknowledge: (ack) => {
              // State inside the acknowledgement has no file, and so no local copy.
              const files = ack.operators.filter((o) => !isInlineState(o.handle));
              store?.acknowledged(ack.checkpointId, files.map((o) => ({ owner: { operatorId: o.operatorId, subtask: o.subtask }, handle: o.handle })));
              if (!faultPoint("lose-ack")) reporter.acknowledge(taskId, ack);
            },
            notifyComplete: (id) => void store?.confirm(id),
            decline: (id, reason) => reporter.decline(taskId, id, reason),
            endOfData: () => reporter.endOfData(taskId),
          };
        };
  const deployment = deploy({
    plan,
    worker,
    jobForSlot: (slot) => jobs.get(slot)!,
    args: new JobArgs(spec.args),
    clock: spec.clock,
    client: { send: (sinkId, records) => reporter.collect(sinkId, records) },
    checkpointIntervalMs: spec.checkpointing?.intervalMs,
    alignedCheckpointTimeoutMs: spec.checkpointing?.alignedCheckpointTimeoutMs,
    transport,
    bufferSize: config.bufferSize,
    bufferTimeoutMs: config.bufferTimeoutMs,
    bufferDebloatTargetMs: config.bufferDebloat ? config.bufferDebloatTargetMs : undefined,
    objectReuse: config.objectReuse,
    checkpointing,
    restored,
    toEnumerator: (taskId, message) => reporter.toEnumerator(taskId, message),
  });
  if (spec.restore !== undefined && storage !== undefined) {
    // Tasks load their restored keyed state as they are built, in deploy.
    const end = restoreClockReading();
    reporter.restored({
      worker,
      checkpointId: spec.restore.checkpointId,
      files,
      startedAt: restoreStart.at,
      endedAt: end.at,
      processCpuStartMicros: restoreStart.cpuMicros,
      processCpuEndMicros: end.cpuMicros,
    });
  }
  return deployment;
}
