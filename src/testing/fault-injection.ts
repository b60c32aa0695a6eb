/**
 * Fault plans: which fault fires at which runtime fault point (see src/runtime/fault-hooks.ts),
 * installed as the runtime's fault hooks.
 *
 * A plan travels as JSON in the environment variable WEIR_FAULTS, so it reaches worker threads
 * and child processes alike:
 *   [{ "point": "snapshot-async", "at": 3, "marker": "/tmp/x/fault-1" }]
 * A fault fires at its point's `at`-th passage in a thread (counting from 1), and only if its
 * marker file can be created (exclusively): so each fault fires at most once across all threads,
 * attempts and processes of a run, and never again after a restart. With `"kill": true` the
 * process is killed with SIGKILL instead of throwing.
 */
import { closeSync, openSync } from "node:fs";
import { faultPoint, installFaultHooks, type FaultHooks, type FaultPoint } from "../runtime/fault-hooks.ts";

export type { FaultPoint };

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

/** The module that installs the plan in WEIR_FAULTS when imported (worker threads, `node --import`). */
export const INSTALL_FROM_ENVIRONMENT_MODULE = new URL("./install-faults.ts", import.meta.url).href;

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

/** The runtime's fault hooks for one plan; passages are counted per point in this thread. */
export class FaultPlanHooks implements FaultHooks {
  private readonly passages = new Map<FaultPoint, number>();
  /** Specs whose marker is claimed (here or elsewhere): they never fire again, so are not tried. */
  private readonly spent = new Set<FaultSpec>();
  readonly workerModule = INSTALL_FROM_ENVIRONMENT_MODULE;

  constructor(private readonly specs: readonly FaultSpec[]) {}

  pass(point: FaultPoint): boolean {
    const n = (this.passages.get(point) ?? 0) + 1;
    this.passages.set(point, n);
    for (const spec of this.specs) {
      if (spec.point !== point || n < spec.at || this.spent.has(spec)) continue;
      this.spent.add(spec);
      if (!claimMarker(spec.marker)) continue;
      if (spec.kill === true) process.kill(process.pid, "SIGKILL");
      if (point === "lose-ack") return true;
      throw new InjectedFault(point);
    }
    return false;
  }
}

/** The plan in `value` (WEIR_FAULTS's format); empty for undefined or "". */
export function parseFaults(value: string | undefined): FaultSpec[] {
  return value === undefined || value === "" ? [] : (JSON.parse(value) as FaultSpec[]);
}

/** The environment value that sets `faults` (for child processes and worker threads). */
export function faultsEnvironment(faults: readonly FaultSpec[]): string {
  return JSON.stringify(faults);
}

/**
 * Arms `faults` for the jobs this process runs next, in this thread and in the worker threads it
 * starts; `disarmFaults` ends that. Workers read the plan from WEIR_FAULTS once, when they start.
 */
export function armFaults(faults: readonly FaultSpec[]): void {
  process.env[FAULTS_VARIABLE] = faultsEnvironment(faults);
  installFaultHooks(faults.length === 0 ? undefined : new FaultPlanHooks(faults));
}

export function disarmFaults(): void {
  delete process.env[FAULTS_VARIABLE];
  installFaultHooks(undefined);
}

/**
 * Passes `point` in user code, for jobs that want a fault point of their own: equivalent to the
 * runtime passing it (a no-op unless a plan is armed).
 */
export function injectFault(point: FaultPoint): boolean {
  return faultPoint(point);
}
