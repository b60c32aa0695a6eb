/**
 * Fault injection for tests of recovery: named points in the runtime where a test can make the
 * engine fail, once, at the n-th time the point is passed.
 *
 * Faults are described in the environment variable WEIR_FAULTS (a JSON array), so they reach
 * worker threads and child processes alike:
 *   [{ "point": "snapshot-async", "at": 3, "marker": "/tmp/x/fault-1" }]
 * A fault fires at its point's `at`-th passage in a thread (counting from 1), and only if its
 * marker file can be created (exclusively): so each fault fires at most once across all threads,
 * attempts and processes of a run, and never again after a restart.
 *
 * Points: "snapshot-sync" (a task's synchronous snapshot phase throws), "snapshot-async" (writing
 * a task's state fails), "before-commit" (a two-phase-commit sink fails after pre-commit, before
 * committing), "lose-ack" (a task's acknowledgement is dropped, so the checkpoint expires),
 * "user" (for jobs: `injectFault("user")` inside a user function). With `"kill": true` the process
 * is killed with SIGKILL instead of throwing.
 */
import { closeSync, openSync } from "node:fs";

export type FaultPoint = "snapshot-sync" | "snapshot-async" | "before-commit" | "lose-ack" | "user";

export interface FaultSpec {
  readonly point: FaultPoint;
  readonly at: number;
  readonly marker: string;
  readonly kill?: boolean;
}

/** The error an injected fault throws. */
export class InjectedFault extends Error {
  constructor(readonly point: FaultPoint) {
    super(`injected fault at ${point}`);
    this.name = "InjectedFault";
  }
}

export const FAULTS_VARIABLE = "WEIR_FAULTS";

let parsedFrom: string | undefined;
let specs: readonly FaultSpec[] = [];
const passages = new Map<FaultPoint, number>();

function currentSpecs(): readonly FaultSpec[] {
  const text = process.env[FAULTS_VARIABLE];
  if (text !== parsedFrom) {
    parsedFrom = text;
    specs = text === undefined || text === "" ? [] : (JSON.parse(text) as FaultSpec[]);
    passages.clear();
  }
  return specs;
}

/**
 * Creates `marker` exclusively: true for the one caller (across threads and processes) that
 * created it, false for every other; other filesystem errors are thrown.
 */
export function claimMarker(marker: string): boolean {
  try {
    closeSync(openSync(marker, "wx"));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/**
 * Passes fault point `point`: returns false when no fault fires; throws InjectedFault (or kills
 * the process) when one does. "lose-ack" returns true instead of throwing: the caller drops the
 * acknowledgement.
 */
export function injectFault(point: FaultPoint): boolean {
  const all = currentSpecs();
  if (all.length === 0) return false;
  const n = (passages.get(point) ?? 0) + 1;
  passages.set(point, n);
  for (const spec of all) {
    if (spec.point !== point || n < spec.at || !claimMarker(spec.marker)) continue;
    if (spec.kill === true) process.kill(process.pid, "SIGKILL");
    if (point === "lose-ack") return true;
    throw new InjectedFault(point);
  }
  return false;
}

/** The environment value that sets `faults` (for child processes and worker threads). */
export function faultsEnvironment(faults: readonly FaultSpec[]): string {
  return JSON.stringify(faults);
}
