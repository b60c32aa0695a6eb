/**
 * The seeded plan of one faulted run: which fault, where, and with which checkpoint interval.
 * Pure: the same seed and the same facts about the job give the same plan, which is what makes
 * `--seed <s> --runs 1` replay a run.
 */
import { SeededRandom } from "../../sources/seeded-random.ts";
import type { FaultPoint } from "../../runtime/fault-hooks.ts";
import { invalidArgument } from "../../core/errors.ts";

/**
 * The faults a run can be given:
 * - "user":           an exception in a user function at a random record (as if it threw);
 * - "snapshot-sync":  a failure in a task's synchronous snapshot phase;
 * - "snapshot-async": a failure writing a task's state: the task declines the checkpoint;
 * - "before-commit":  a failure between pre-commit and commit of a two-phase-commit sink;
 * - "lose-ack":       a lost acknowledgement: the checkpoint expires;
 * - "kill":           `kill -9` of the process running the job (at a random record, while a
 *                     snapshot is written, or between pre-commit and commit), then a resume
 *                     with `--from latest`;
 * - "rescale":        `kill -9` as for "kill", then a resume from the newest checkpoint at another
 *                     parallelism, drawn from 1 to 4 for each resume: state moves by key group,
 *                     list state is split, split positions and sink transactions change hands.
 * Runs also get slow systems around the job: in two runs in three or more, slow snapshot storage (the
 * asynchronous phase of every checkpoint waits a few milliseconds after each key group it writes,
 * so records flow while it writes: state shared between live values and a snapshot being written
 * shows only then); in one run in two or more, sources slow to start again after a restore (they emit
 * nothing until the first checkpoint after the restore was taken, so that checkpoint holds restored
 * state no record has touched yet, and is still being written when records flow again).
 */
export const FAULT_KINDS = ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack", "kill", "rescale"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault of a plan; `marker` is a file name inside the run's directory. */
export interface PlannedFault {
  readonly point: FaultPoint;
  /** Fires at the point's `at`-th passage in a thread. */
  readonly at: number;
  readonly kill: boolean;
  readonly marker: string;
  /** The marker of the fault before it: this one is armed only once that one fired. */
  readonly after?: string;
}

export interface FaultPlan {
  readonly seed: number;
  readonly kind: FaultKind;
  readonly faults: readonly PlannedFault[];
  readonly checkpointIntervalMs: number;
  /** A checkpoint not complete after this long fails (short when an acknowledgement is lost). */
  readonly checkpointTimeoutMs: number;
  /**
   * Checkpoint failures in a row the job tolerates before it fails and restarts: 0, except when
   * acknowledgements are lost (Infinity). The short timeout of those runs expires the lost
   * acknowledgement's checkpoint, and on a busy machine the next ones too; restarting after each
   * would deploy and restore the job again and again, each time more slowly than the timeout, until
   * the restarts ran out. Tolerated, the job goes on and a later checkpoint commits.
   */
  readonly tolerableCheckpointFailures: number;
  /** The wait after each step of an asynchronous snapshot phase (0: storage at full speed). */
  readonly snapshotStepDelayMs: number;
  /** How long at most sources restored from a checkpoint wait for the first checkpoint after the restore before they emit (0: they start at once). */
  readonly restoredSourceDelayMs: number;
  /** For "rescale": the parallelism of each resume after a kill, in order (the last one repeats). */
  readonly resumeParallelisms?: readonly number[];
}

/** The highest parallelism a rescaled resume draws: as many subtasks as a small machine runs. */
const MAX_RESCALE_PARALLELISM = 4;

/** What the reference run taught about the job, to place faults where they can fire. */
export interface JobFacts {
  /** Records handed to operators in one thread of the reference run (roughly). */
  readonly recordsPerThread: number;
  /** The checkpoint interval to use; undefined lets the plan choose one per run. */
  readonly checkpointIntervalMs: number | undefined;
}

const KILL_POINTS: readonly FaultPoint[] = ["record", "snapshot-async", "before-commit"];

/** Whether the plan's faults kill the job's process (and the run resumes it). */
export function killsProcess(kind: FaultKind): boolean {
  return kind === "kill" || kind === "rescale";
}

/**
 * The kinds a crash test draws from: those asked for, else all. Runs with unaligned checkpoints
 * draw no "rescale" by default: a checkpoint that holds records in flight restores only at its own
 * parallelism (WEIR_ERR_UNALIGNED_RESCALE), so a rescaled resume would fail by design; asking for
 * both is refused.
 */
export function faultKindsFor(requested: readonly FaultKind[] | undefined, unaligned: boolean): readonly FaultKind[] {
  if (!unaligned) return requested ?? FAULT_KINDS;
  if (requested === undefined) return FAULT_KINDS.filter((kind) => kind !== "rescale");
  if (requested.includes("rescale")) {
    throw invalidArgument("the 'rescale' fault cannot be combined with unaligned checkpoints: a checkpoint holding records in flight restores only at its own parallelism");
  }
  return requested;
}

export function faultPlan(seed: number, kinds: readonly FaultKind[], facts: JobFacts): FaultPlan {
  const r = new SeededRandom(seed);
  const kind = kinds[r.nextInt(kinds.length)]!;
  const kill = killsProcess(kind);
  const interval = facts.checkpointIntervalMs ?? 30 + r.nextInt(170);
  const atRecord = (): number => 1 + r.nextInt(Math.max(1, Math.floor(facts.recordsPerThread * 0.9)));
  const atCheckpoint = (): number => 1 + r.nextInt(3);
  // One or two faults, in order: a second failure after a restore reaches state that the first
  // restore brought back (defects there show only when that state is checkpointed and restored
  // again). Half the second faults hit the first commit after the recovery, so that the job is
  // restored from the very checkpoint taken right after the first restore; those runs always get
  // slow storage and slow sources, so that checkpoint is taken before restored state is used and
  // written while it is changed.
  const faults: PlannedFault[] = [];
  let failAgainAfterRecovery = false;
  const count = 1 + r.nextInt(2);
  for (let k = 0; k < count; k++) {
    const marker = `fault-${k + 1}`;
    const after = k === 0 ? {} : { after: faults[k - 1]!.marker };
    if (k > 0 && (kill || kinds.includes("before-commit")) && r.nextInt(2) === 0) {
      faults.push({ point: "before-commit", at: 1, kill, marker, ...after });
      failAgainAfterRecovery = true;
      continue;
    }
    const point: FaultPoint = kind === "kill" || kind === "rescale" ? KILL_POINTS[r.nextInt(KILL_POINTS.length)]! : kind === "user" ? "record" : kind;
    faults.push({ point, at: point === "record" ? atRecord() : atCheckpoint(), kill, marker, ...after });
  }
  const resumeParallelisms = kind === "rescale" ? faults.map(() => 1 + r.nextInt(MAX_RESCALE_PARALLELISM)) : undefined;
  const snapshotStepDelayMs = r.nextInt(3) === 0 && !failAgainAfterRecovery ? 0 : 1 + r.nextInt(4);
  const restoredSourceDelayMs = r.nextInt(2) === 0 && !failAgainAfterRecovery ? 0 : 4 * interval;
  // Short when an acknowledgement is lost, so that the checkpoint expires soon, but long enough
  // for slow storage to write every key group (up to 128 a subtask by default) on a busy machine.
  const checkpointTimeoutMs = kind === "lose-ack" ? Math.max(1000, interval * 5) + 512 * snapshotStepDelayMs : 60_000;
  const tolerableCheckpointFailures = kind === "lose-ack" ? Infinity : 0;
  return {
    seed,
    kind,
    faults,
    checkpointIntervalMs: interval,
    checkpointTimeoutMs,
    tolerableCheckpointFailures,
    snapshotStepDelayMs,
    restoredSourceDelayMs,
    ...(resumeParallelisms === undefined ? {} : { resumeParallelisms }),
  };
}

/** What the plan's faults are called in reports: "kill -9", "exception in a user function", "lose-ack fault". */
function faultName(plan: FaultPlan): string {
  if (plan.kind === "rescale") return "kill -9 and a rescaled resume";
  return plan.kind === "kill" ? "kill -9" : plan.kind === "user" ? "exception in a user function" : `${plan.kind} fault`;
}

/** One fault of the plan, as in "fault 2 of 2: kill -9 at before-commit passage 1", "fault 1 of 1: snapshot-async fault at passage 2". */
export function describeFault(plan: FaultPlan, index: number): string {
  const f = plan.faults[index]!;
  const what = f.kill ? `kill -9 at ${f.point === "record" ? "record" : `${f.point} passage`}` : f.point === "record" ? "exception in a user function at record" : `${f.point} fault at passage`;
  return `fault ${index + 1} of ${plan.faults.length}: ${what} ${f.at}`;
}

/** As in "kill -9 twice (at record 1503, then before-commit 1)", "snapshot-async fault once (at passage 2)". */
export function describePlan(plan: FaultPlan): string {
  const where = (f: PlannedFault): string => {
    if (f.point === "record") return `record ${f.at}`;
    return killsProcess(plan.kind) ? `${f.point} ${f.at}` : f.point === plan.kind ? `passage ${f.at}` : `${f.point} passage ${f.at}`;
  };
  const what = faultName(plan);
  const storage = plan.snapshotStepDelayMs > 0 ? `, snapshots written slowly (${plan.snapshotStepDelayMs} ms a key group)` : "";
  const sources = plan.restoredSourceDelayMs > 0 ? `, restored sources idle until a checkpoint (at most ${plan.restoredSourceDelayMs} ms)` : "";
  const rescaled = plan.resumeParallelisms === undefined ? "" : `, resumed at parallelism ${plan.resumeParallelisms.join(", then ")}`;
  return `${what} ${plan.faults.length === 1 ? "once" : "twice"} (at ${plan.faults.map(where).join(", then ")})${rescaled}${storage}${sources}`;
}

/** Parses `--faults user,kill,...`; throws a message naming the unknown kind. */
export function parseFaultKinds(text: string): FaultKind[] {
  const kinds = text.split(",").map((k) => k.trim()).filter((k) => k !== "");
  for (const k of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault '${k}': choose from ${FAULT_KINDS.join(", ")}`);
  }
  if (kinds.length === 0) throw new Error(`no faults given: choose from ${FAULT_KINDS.join(", ")}`);
  return kinds as FaultKind[];
}
