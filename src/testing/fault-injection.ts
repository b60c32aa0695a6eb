/**
 * Fault plans: which fault fires at which runtime fault point (see src/runtime/fault-hooks.ts),
 * installed as the runtime's fault hooks.
 *
 * A plan travels as JSON in the environment variable WEIR_FAULTS, so it reaches worker threads
 * and child processes alike:
 *   [{ "point": "snapshot-async", "at": 3, "marker": "/tmp/x/fault-1" }]
 * or, with options (see FaultOptions):
 *   { "faults": [...], "snapshotStepDelayMs": 2, "restoredSourceDelayMs": 300, "statusFile": "/tmp/x/job-status.json" }
 * A fault fires at its point's `at`-th passage in a thread (counting from 1), and only if its
 * marker file can be created (exclusively): so each fault fires at most once across all threads,
 * attempts and processes of a run, and never again after a restart. With `"kill": true` the
 * process is killed with SIGKILL instead of throwing. A fault with `"after": <marker>` is armed
 * in the first attempt deployed after that marker exists (the fault before it fired: it then hits
 * the job recovered from that fault); its passages count from then on.
 */
import { closeSync, existsSync, openSync, renameSync, writeFileSync } from "node:fs";
import type { JobStatusReader } from "../runtime/job-status.ts";
import { faultPoint, installFaultHooks, type FaultHooks, type FaultPoint } from "../runtime/fault-hooks.ts";

export type { FaultPoint };

export interface FaultSpec {
  readonly point: FaultPoint;
  readonly at: number;
  readonly marker: string;
  readonly kill?: boolean;
  /** The marker of the fault that must have fired before this one is armed. */
  readonly after?: string;
}

/** What a plan sets besides its faults. */
export interface FaultOptions {
  /** Slows the asynchronous snapshot phase down by this many milliseconds per step, as slow storage would. */
  readonly snapshotStepDelayMs?: number;
  /** Sources restored from a checkpoint emit nothing for this many milliseconds, as sources slow to reconnect would. */
  readonly restoredSourceDelayMs?: number;
  /**
   * A file where a job master in this process keeps its job's status (JSON of a JobStatusReport),
   * rewritten every STATUS_WRITE_MS: what a process that stalled last said of itself.
   */
  readonly statusFile?: string;
}

/** How often the status file is rewritten. */
export const STATUS_WRITE_MS = 250;

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

/** The runtime's fault hooks for one plan; passages are counted per fault in this thread, from when it is armed. */
export class FaultPlanHooks implements FaultHooks {
  private readonly passages = new Map<FaultSpec, number>();
  /** Faults armed in this thread: those without `after`, and those whose marker existed when an attempt was deployed. */
  private readonly armed: Set<FaultSpec>;
  /** Specs whose marker is claimed (here or elsewhere): they never fire again, so are not tried. */
  private readonly spent = new Set<FaultSpec>();
  readonly workerModule = INSTALL_FROM_ENVIRONMENT_MODULE;
  readonly snapshotStepDelayMs: number | undefined;
  readonly restoredSourceDelayMs: number | undefined;
  private readonly statusFile: string | undefined;

  constructor(
    private readonly specs: readonly FaultSpec[],
    options: FaultOptions = {},
  ) {
    this.snapshotStepDelayMs = options.snapshotStepDelayMs;
    this.restoredSourceDelayMs = options.restoredSourceDelayMs;
    this.statusFile = options.statusFile;
    this.armed = new Set(specs.filter((s) => s.after === undefined));
  }

  deploying(): void {
    for (const spec of this.specs) if (spec.after !== undefined && existsSync(spec.after)) this.armed.add(spec);
  }

  /** Keeps the job's status in the status file, if one is set (written whole, then renamed into place). */
  observe(status: JobStatusReader): void {
    const file = this.statusFile;
    if (file === undefined) return;
    const write = () => {
      const now = status();
      // The job ended: its last status is written, and no more.
      if (now.state === "finished" || now.state === "failed" || now.state === "cancelled") clearInterval(timer);
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify(now));
        renameSync(`${file}.tmp`, file);
      } catch {
        // A status that cannot be written leaves the last one; the run goes on.
      }
    };
    const timer = setInterval(write, STATUS_WRITE_MS).unref();
    write();
  }

  pass(point: FaultPoint): boolean {
    for (const spec of this.specs) {
      if (spec.point !== point || !this.armed.has(spec) || this.spent.has(spec)) continue;
      const n = (this.passages.get(spec) ?? 0) + 1;
      this.passages.set(spec, n);
      if (n < spec.at) continue;
      this.spent.add(spec);
      if (!claimMarker(spec.marker)) continue;
      if (spec.kill === true) process.kill(process.pid, "SIGKILL");
      if (point === "lose-ack") return true;
      throw new InjectedFault(point);
    }
    return false;
  }
}

/** The plan in `value` (WEIR_FAULTS's format); nothing for undefined or "". */
export function parseFaults(value: string | undefined): { readonly faults: FaultSpec[]; readonly options: FaultOptions } {
  if (value === undefined || value === "") return { faults: [], options: {} };
  const parsed = JSON.parse(value) as FaultSpec[] | ({ readonly faults: FaultSpec[] } & FaultOptions);
  if (Array.isArray(parsed)) return { faults: parsed, options: {} };
  const { faults, ...options } = parsed;
  return { faults, options };
}

/** Whether a plan does anything at all. */
export function armsAnything(faults: readonly FaultSpec[], options: FaultOptions): boolean {
  return faults.length > 0 || (options.snapshotStepDelayMs ?? 0) > 0 || (options.restoredSourceDelayMs ?? 0) > 0 || options.statusFile !== undefined;
}

/** The environment value that sets `faults` and `options` (for child processes and worker threads). */
export function faultsEnvironment(faults: readonly FaultSpec[], options: FaultOptions = {}): string {
  return JSON.stringify(Object.keys(options).length === 0 ? faults : { faults, ...options });
}

/**
 * Arms `faults` for the jobs this process runs next, in this thread and in the worker threads it
 * starts; `disarmFaults` ends that. Workers read the plan from WEIR_FAULTS once, when they start.
 */
export function armFaults(faults: readonly FaultSpec[], options: FaultOptions = {}): void {
  process.env[FAULTS_VARIABLE] = faultsEnvironment(faults, options);
  installFaultHooks(armsAnything(faults, options) ? new FaultPlanHooks(faults, options) : undefined);
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
