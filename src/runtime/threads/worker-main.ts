/**
 * A worker thread: loads the job module and stands by until it is given an attempt (its `init`,
 * see standby-workers.ts), then deploys the subtasks of its slots (restoring their state when the
 * attempt restores), opens them, reports ready, runs them when told to start, and carries
 * out the coordinator's checkpoint commands. The coordinator terminates the thread when the
 * attempt is over.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { loadJobModule } from "../../api/job-module.ts";
import { systemClock } from "../../core/clock.ts";
import { asError, WeirError } from "../../core/errors.ts";
import { deployAttemptThread } from "../attempt-deployment.ts";
import { ioThreadBootWarning, startedIoThread } from "../../checkpoint/storage/io-thread-volume.ts";
import type { Deployment } from "../deployment.ts";
import { TaskFailure } from "../failure-report.ts";
import { BatchCodec } from "../network/batch-codec.ts";
import type { FromWorker, PeerMessage, ToWorker, WorkerInit, WorkerStandbyData } from "./messages.ts";

const standby = workerData as WorkerStandbyData;
const coordinator = parentPort!;
/** The attempt this thread runs, once its `init` came. */
let init: WorkerInit;
let given = false;
// Imported while the thread stands by. A thread given its attempt already reports a failure to
// load when setUp loads the module again; one still standing by ends, so that the pool drops it
// instead of handing the next attempt a thread whose failed import the module cache would repeat.
loadJobModule(standby.jobModule).catch(() => {
  if (!given) process.exit(1);
});
/** Why the I/O thread did not start, held until there is an attempt to warn. */
let ioBootFailure: Error | undefined;
let reportIoBootFailure = (reason: Error): void => {
  ioBootFailure = reason;
};
// Started while the thread stands by too: in a checkout it loads TypeScript, most of a second of
// CPU time that a running attempt's tasks would otherwise lose to it.
const checkpointIo = standby.checkpointIo ? startedIoThread((reason) => reportIoBootFailure(reason)) : undefined;
const post = (message: FromWorker): void => coordinator.postMessage(message);

function peerPort(worker: number): MessagePort {
  const port = init.peers[worker];
  if (port === null || port === undefined) throw new WeirError("WEIR_ERR_INTERNAL", `no port from worker ${init.worker} to ${worker}`);
  return port;
}

function serialize(e: unknown): { name: string; message: string; code: string | undefined } {
  const error = asError(e);
  return { name: error.name, message: error.message, code: e instanceof WeirError ? e.code : undefined };
}

async function setUp(): Promise<Deployment> {
  reportIoBootFailure = (reason) => post({ type: "warning", message: ioThreadBootWarning(reason) });
  if (ioBootFailure !== undefined) reportIoBootFailure(ioBootFailure);
  if (init.faultHooksModule !== undefined) await import(init.faultHooksModule);
  const definition = await loadJobModule(init.jobModule);
  const codec = new BatchCodec();
  const deployment = await deployAttemptThread(
    { ...init.spec, definition, clock: systemClock },
    init.worker,
    {
      sendItem(worker, channelId, item) {
        if (Array.isArray(item)) {
          const b = codec.encode(item);
          peerPort(worker).postMessage({ t: 0, c: channelId, b } satisfies PeerMessage, [b.buffer as ArrayBuffer]);
        } else if (item instanceof Uint8Array) {
          peerPort(worker).postMessage({ t: 0, c: channelId, b: item } satisfies PeerMessage, [item.buffer as ArrayBuffer]);
        } else if (item.kind === "timestamped") {
          const b = Array.isArray(item.records) ? codec.encode(item.records) : item.records;
          const s = item.timestamps;
          peerPort(worker).postMessage({ t: 3, c: channelId, b, s } satisfies PeerMessage, [b.buffer as ArrayBuffer, s.buffer as ArrayBuffer]);
        } else {
          peerPort(worker).postMessage({ t: 1, c: channelId, e: item } satisfies PeerMessage);
        }
      },
      sendCredit(worker, channelId, credits) {
        peerPort(worker).postMessage({ t: 2, c: channelId, n: credits } satisfies PeerMessage);
      },
      sendBatchSize(worker, channelId, records) {
        peerPort(worker).postMessage({ t: 4, c: channelId, n: records } satisfies PeerMessage);
      },
    },
    {
      acknowledge: (taskId, ack) => post({ type: "ack", taskId, ack }),
      decline: (taskId, checkpointId, reason) => post({ type: "decline", taskId, checkpointId, reason }),
      endOfData: (taskId) => post({ type: "end-of-data", taskId }),
      collect: (sinkId, records) => post({ type: "collect", sinkId, records }),
      toEnumerator: (taskId, message) => post({ type: "to-enumerator", taskId, message }),
      restored: (report) => post({ type: "restored", report }),
      warning: (message) => post({ type: "warning", message }),
    },
    // A busy worker would otherwise take part in each file operation of its checkpoint writes between steps.
    init.spec.checkpointing === undefined ? undefined : (checkpointIo ?? startedIoThread((reason) => reportIoBootFailure(reason))),
  );
  // The attempt reports ready once its I/O thread is up (or has failed to start), so that the
  // first attempt pays for the boot at start-up rather than while records flow.
  await checkpointIo?.started().catch(() => {});
  init.peers.forEach((port) => {
    port?.on("message", (m: PeerMessage) => {
      if (m.t === 2) deployment.grant(m.c, m.n);
      else if (m.t === 4) deployment.resize(m.c, m.n);
      else if (m.t === 3) deployment.deliver(m.c, { kind: "timestamped", records: m.b, timestamps: m.s });
      else deployment.deliver(m.c, m.t === 0 ? m.b : m.e);
    });
  });
  return deployment;
}

async function main(): Promise<void> {
  // Messages that come while the thread sets up (a cancel among them: setting up restores state,
  // which a terminate must not cut short) are held and handled in order once it is set up.
  const held: ToWorker[] = [];
  let attach: (init: WorkerInit) => void = () => {};
  const attached = new Promise<WorkerInit>((resolve) => (attach = resolve));
  const hold = (m: ToWorker): void => {
    if (m.type === "init") {
      given = true;
      attach(m.init);
    } else held.push(m);
  };
  coordinator.on("message", hold);
  init = await attached;
  let deployment: Deployment;
  try {
    deployment = await setUp();
  } catch (e) {
    post({ type: "setup-failed", error: serialize(e) });
    if (held.some((m) => m.type === "cancel")) process.exit(0);
    coordinator.on("message", (m: ToWorker) => {
      if (m.type === "cancel") process.exit(0);
    });
    return;
  } finally {
    coordinator.off("message", hold);
  }
  const executor = deployment.executor;
  /** Set by the coordinator's "cancel"; the thread then ends itself (see `endAfterCancel`). */
  let cancelled = false;
  let running = true;
  const started = new Promise<boolean>((resolve) => {
    const handle = (m: ToWorker): void => {
      switch (m.type) {
        case "start":
          return resolve(true);
        case "cancel":
          cancelled = true;
          executor.cancel();
          if (!running) void endAfterCancel(executor);
          return resolve(false);
        case "trigger":
          return executor.triggerCheckpoint(m.checkpointId, m.timestamp, m.kind);
        case "drain":
          return executor.drainSources();
        case "complete":
          return executor.notifyCheckpointComplete(m.checkpointId);
        case "aborted":
          return executor.notifyCheckpointAborted(m.checkpointId);
        case "finish":
          return executor.finish();
        case "to-reader":
          return executor.deliverEnumeratorEvent(m.taskId, m.message);
      }
    };
    for (const m of held) handle(m);
    coordinator.on("message", handle);
  });
  const metrics = () => executor.tasks.map((t) => t.metrics());
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    await executor.openAll();
    post({ type: "ready" });
    if (!(await started)) return;
    progress = setInterval(() => post({ type: "metrics", tasks: metrics() }), init.progressIntervalMs);
    await executor.run();
    if (!cancelled) post({ type: "finished", tasks: metrics() });
  } catch (e) {
    await executor.dispose();
    if (e instanceof TaskFailure) post({ type: "task-failed", report: e.report });
    else post({ type: "setup-failed", error: serialize(e) });
  } finally {
    if (progress !== undefined) clearInterval(progress);
    running = false;
    if (cancelled) await endAfterCancel(executor);
  }
}

/**
 * Ends this thread after the coordinator cancelled the attempt: between two steps of the task
 * loop, never inside one, so no store transaction (the disk backend's) is left open by the
 * thread's end. Tasks are disposed as after a failure (their functions closed).
 */
async function endAfterCancel(executor: Deployment["executor"]): Promise<void> {
  await executor.dispose().catch(() => {});
  process.exit(0);
}

await main();
