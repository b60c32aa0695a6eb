/**
 * A worker thread: loads the job module, builds the job once per slot it hosts, deploys those
 * subtasks, opens them, reports ready, and runs them when told to start.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { buildJob } from "../../api/define-job.ts";
import { JobArgs } from "../../api/job-args.ts";
import { loadJobModule } from "../../api/job-module.ts";
import { systemClock } from "../../core/clock.ts";
import { WeirError } from "../../core/errors.ts";
import { fingerprint } from "../../graph/job-graph.ts";
import { deploy, type Deployment } from "../deployment.ts";
import { ExecutionPlan } from "../execution-plan.ts";
import { BatchCodec } from "../network/batch-codec.ts";
import { TaskFailure } from "../failure-report.ts";
import { buildSlotJobs } from "../slot-jobs.ts";
import type { FromWorker, PeerMessage, ToWorker, WorkerInit } from "./messages.ts";

const init = workerData as WorkerInit;
const coordinator = parentPort!;
const post = (message: FromWorker): void => coordinator.postMessage(message);

function peerPort(worker: number): MessagePort {
  const port = init.peers[worker];
  if (port === null || port === undefined) throw new WeirError("WEIR_ERR_INTERNAL", `no port from worker ${init.worker} to ${worker}`);
  return port;
}

async function setUp(): Promise<Deployment> {
  const definition = await loadJobModule(init.jobModule);
  const first = await buildJob(definition, init.overrides, init.args);
  if (fingerprint(first.job) !== init.fingerprint) {
    throw new WeirError("WEIR_ERR_NONDETERMINISTIC_JOB", `worker ${init.worker} built a different job graph from the coordinator's: the job's build function must build the same pipeline every time`);
  }
  const plan = new ExecutionPlan(first.job, init.maxWorkers);
  const slots = plan.slotsOfWorker(init.worker);
  const jobs = await buildSlotJobs(definition, init.overrides, init.args, slots.slice(1), init.fingerprint);
  jobs.set(slots[0]!, first.job);
  const config = first.env.getConfig();
  const codec = new BatchCodec();
  const deployment = deploy({
    plan,
    worker: init.worker,
    jobForSlot: (slot) => jobs.get(slot)!,
    args: new JobArgs(init.args),
    clock: systemClock,
    client: { send: (sinkId, records) => post({ type: "collect", sinkId, records }) },
    transport: {
      sendItem(worker, channelId, item) {
        if (Array.isArray(item)) {
          const b = codec.encode(item);
          peerPort(worker).postMessage({ t: 0, c: channelId, b } satisfies PeerMessage, [b.buffer as ArrayBuffer]);
        } else if (item instanceof Uint8Array) {
          peerPort(worker).postMessage({ t: 0, c: channelId, b: item } satisfies PeerMessage, [item.buffer as ArrayBuffer]);
        } else {
          peerPort(worker).postMessage({ t: 1, c: channelId, e: item } satisfies PeerMessage);
        }
      },
      sendCredit(worker, channelId, credits) {
        peerPort(worker).postMessage({ t: 2, c: channelId, n: credits } satisfies PeerMessage);
      },
    },
    bufferSize: config.bufferSize,
    bufferTimeoutMs: config.bufferTimeoutMs,
  });
  init.peers.forEach((port) => {
    port?.on("message", (m: PeerMessage) => {
      if (m.t === 2) deployment.grant(m.c, m.n);
      else deployment.deliver(m.c, m.t === 0 ? m.b : m.e);
    });
  });
  return deployment;
}

/** Reports the outcome to the coordinator, which terminates this thread once the job is over. */
async function main(): Promise<void> {
  let deployment: Deployment;
  try {
    deployment = await setUp();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ type: "setup-failed", error: { name: error.name, message: error.message, code: e instanceof WeirError ? e.code : undefined } });
    return;
  }
  const executor = deployment.executor;
  const started = new Promise<boolean>((resolve) => {
    coordinator.on("message", (m: ToWorker) => {
      if (m.type === "start") resolve(true);
      else {
        executor.cancel();
        resolve(false);
      }
    });
  });
  const metrics = () => executor.tasks.map((t) => t.metrics());
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    await executor.openAll();
    post({ type: "ready" });
    if (!(await started)) return;
    progress = setInterval(() => post({ type: "metrics", tasks: metrics() }), init.progressIntervalMs);
    await executor.run();
    post({ type: "finished", tasks: metrics() });
  } catch (e) {
    await executor.dispose();
    if (e instanceof TaskFailure) post({ type: "task-failed", report: e.report });
    else {
      const error = e instanceof Error ? e : new Error(String(e));
      post({ type: "setup-failed", error: { name: error.name, message: error.message, code: e instanceof WeirError ? e.code : undefined } });
    }
  } finally {
    if (progress !== undefined) clearInterval(progress);
  }
}

await main();
