/**
 * An attempt on worker threads: one worker per group of slots, each with a port to every other
 * worker, all loading the job module. Messages from workers go to the attempt's listener;
 * checkpoint commands go to every worker (each applies them to the tasks it runs).
 */
import type { BarrierKind } from "../barriers/barrier.ts";
import { faultHooksWorkerModule } from "../fault-hooks.ts";
import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { WeirError, type ErrorCode } from "../../core/errors.ts";
import { ExecutionPlan } from "../execution-plan.ts";
import { jobFailedError } from "../failure-report.ts";
import type { Attempt, AttemptListener, AttemptSpec } from "../master/attempt.ts";
import type { JobGraph } from "../../graph/job-graph.ts";
import type { FromWorker, SerializedError, ToWorker, WorkerInit } from "./messages.ts";
import type { EnumeratorToReader } from "../source-events.ts";
import { bootWorker, type StandbyWorkers } from "./standby-workers.ts";

/**
 * How long a cancelled worker may take to end itself before it is terminated. Terminating a
 * thread interrupts it wherever it is, inside a store's write transaction too, whose lock the
 * thread's end then waits for forever (LMDB); a worker asked to stop ends between two steps.
 * A user function stuck in a loop never reads the request: it is terminated after this.
 */
const CANCEL_GRACE_MS = 2_000;

function setupError(error: SerializedError): Error {
  const e = error.code !== undefined ? new WeirError(error.code as ErrorCode, error.message) : new Error(error.message);
  e.name = error.name;
  return e;
}

export class ThreadAttempt implements Attempt {
  private readonly workers: Worker[];
  /** Resolves when worker i's thread has ended, however it ended. */
  private readonly exits: Promise<void>[] = [];
  /** The worker that runs each source task, by task id. */
  private readonly workerOfTask = new Map<string, number>();
  private ended = false;

  /** `standby`: threads booted ahead, taken before new ones are booted. */
  constructor(spec: AttemptSpec, job: JobGraph, listener: AttemptListener, standby?: StandbyWorkers) {
    if (spec.moduleUrl === undefined) throw new WeirError("WEIR_ERR_INTERNAL", "a threaded attempt needs the job's module");
    const plan = new ExecutionPlan(job, spec.maxWorkers);
    for (const vertex of job.vertices) {
      if (vertex.inputs.length === 0) for (let s = 0; s < vertex.parallelism; s++) this.workerOfTask.set(`${vertex.id}:${s}`, plan.workerOfSlot(s));
    }
    const peers: (MessagePort | null)[][] = Array.from({ length: plan.workers }, () => Array<MessagePort | null>(plan.workers).fill(null));
    for (let a = 0; a < plan.workers; a++) {
      for (let b = a + 1; b < plan.workers; b++) {
        const { port1, port2 } = new MessageChannel();
        peers[a]![b] = port1;
        peers[b]![a] = port2;
      }
    }
    const { definition: _definition, clock: _clock, moduleUrl, progressIntervalMs, ...threadSpec } = spec;
    let ready = 0;
    let finished = 0;
    const fail = (error: Error) => {
      if (this.ended) return;
      this.ended = true;
      listener.failed(error);
    };
    this.workers = peers.map((ports, worker) => {
      const init: WorkerInit = { jobModule: moduleUrl, spec: threadSpec, worker, peers: ports, progressIntervalMs, faultHooksModule: faultHooksWorkerModule() };
      const w = standby?.take() ?? bootWorker({ jobModule: moduleUrl, checkpointIo: spec.checkpointing !== undefined });
      w.postMessage({ type: "init", init } satisfies ToWorker, ports.filter((p): p is MessagePort => p !== null));
      w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
      this.exits.push(new Promise<void>((resolve) => w.once("exit", () => resolve())));
      w.on("exit", (code) => {
        if (code !== 0) fail(new WeirError("WEIR_ERR_INTERNAL", `worker ${worker} exited with code ${code}`));
      });
      w.on("message", (m: FromWorker) => {
        if (this.ended) return;
        switch (m.type) {
          case "ready":
            if (++ready === this.workers.length) listener.ready();
            return;
          case "metrics":
            return listener.metrics(worker, m.tasks);
          case "collect":
            return listener.collect(m.sinkId, m.records);
          case "ack":
            return listener.acknowledge(m.taskId, m.ack);
          case "decline":
            return listener.decline(m.taskId, m.checkpointId, m.reason);
          case "end-of-data":
            return listener.endOfData(m.taskId);
          case "to-enumerator":
            return listener.toEnumerator(m.taskId, m.message);
          case "restored":
            return listener.restored(m.report);
          case "warning":
            return listener.warning(m.message);
          case "finished":
            listener.metrics(worker, m.tasks);
            if (++finished === this.workers.length) {
              this.ended = true;
              listener.finished();
            }
            return;
          case "task-failed":
            return fail(jobFailedError(m.report));
          case "setup-failed":
            return fail(setupError(m.error));
        }
      });
      return w;
    });
  }

  private broadcast(message: ToWorker): void {
    for (const w of this.workers) w.postMessage(message);
  }

  start(): void {
    this.broadcast({ type: "start" });
  }

  triggerCheckpoint(checkpointId: number, timestamp: number, kind: BarrierKind): void {
    this.broadcast({ type: "trigger", checkpointId, timestamp, kind });
  }

  drainSources(): void {
    this.broadcast({ type: "drain" });
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.broadcast({ type: "complete", checkpointId });
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.broadcast({ type: "aborted", checkpointId });
  }

  finish(): void {
    this.broadcast({ type: "finish" });
  }

  toReader(taskId: string, message: EnumeratorToReader): void {
    const worker = this.workerOfTask.get(taskId);
    if (worker !== undefined) this.workers[worker]!.postMessage({ type: "to-reader", taskId, message } satisfies ToWorker);
  }

  /** Asks every worker to stop and resolves once all threads ended (see CANCEL_GRACE_MS). */
  async cancel(): Promise<void> {
    this.ended = true;
    await Promise.all(
      this.workers.map(async (w, i) => {
        w.postMessage({ type: "cancel" } satisfies ToWorker);
        let gaveUp: () => void = () => {};
        const terminated = new Promise<void>((resolve) => (gaveUp = resolve));
        const timer = setTimeout(() => {
          void w.terminate();
          // A thread that does not end even when terminated (see CANCEL_GRACE_MS) is left behind.
          setTimeout(gaveUp, CANCEL_GRACE_MS).unref();
        }, CANCEL_GRACE_MS);
        await Promise.race([this.exits[i], terminated]);
        clearTimeout(timer);
      }),
    );
  }
}
