/**
 * Helpers for the tests that run the checkpointed keyed count (test/fixtures/jobs/ck-count.ts)
 * through both runtimes: temp dirs, the committed output of the committing file sink, and the
 * notifications the count function logged.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after } from "node:test";
import { runJob, WeirError, type JobResult, type RunOptions, type RuntimeMode } from "../../../src/index.ts";

export const RUNTIMES: readonly RuntimeMode[] = ["single-thread", "threads"];

export const COUNT_JOB = new URL("../../fixtures/jobs/ck-count.ts", import.meta.url);

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system temp dir, removed when the test file is done. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `weir-${prefix}-`));
  dirs.push(dir);
  return dir;
}

/** Where one run of the count job keeps its files. */
export interface CountRunDirs {
  readonly root: string;
  /** The checkpoint root. */
  readonly checkpoints: string;
  /** The committing file sink's directory. */
  readonly out: string;
}

export function countRunDirs(prefix: string): CountRunDirs {
  const root = tempDir(prefix);
  return { root, checkpoints: join(root, "checkpoints"), out: join(root, "out") };
}

/** Runs the count job with `--out dirs.out`, checkpoints under `dirs.checkpoints`, at parallelism 2. */
export function runCount(
  dirs: CountRunDirs,
  runtime: RuntimeMode,
  args: readonly string[],
  options: Omit<RunOptions, "runtime" | "args"> = {},
): Promise<JobResult> {
  return runJob(COUNT_JOB, {
    runtime,
    parallelism: 2,
    ...options,
    checkpointing: { dir: dirs.checkpoints, ...options.checkpointing },
    args: ["--out", dirs.out, ...args],
  });
}

/** The lines of the committed part files (`part-*`), sorted. */
export function committedLines(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((name) => name.startsWith("part-"))
    .flatMap((name) => readFileSync(join(out, name), "utf8").split("\n"))
    .filter((line) => line !== "")
    .sort();
}

/** Names of files the sink has not committed (hidden in-progress or pending part files). */
export function uncommittedFiles(out: string): string[] {
  return existsSync(out) ? readdirSync(out).filter((name) => name.startsWith(".")) : [];
}

/** What the count function's `--log` file says, per subtask: the ids of checkpoints it heard complete and aborted. */
export function notifications(log: string): Map<number, { complete: number[]; aborted: number[] }> {
  const bySubtask = new Map<number, { complete: number[]; aborted: number[] }>();
  if (!existsSync(log)) return bySubtask;
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const match = /^(\d+) (complete|aborted) (\d+)$/.exec(line);
    if (match === null) continue;
    const subtask = Number(match[1]);
    let entry = bySubtask.get(subtask);
    if (entry === undefined) bySubtask.set(subtask, (entry = { complete: [], aborted: [] }));
    entry[match[2] as "complete" | "aborted"].push(Number(match[3]));
  }
  return bySubtask;
}

/** The checkpoint directories (`chk-<n>`) of a job, by id, ascending. */
export function checkpointIds(checkpoints: string, jobId: string): number[] {
  const jobDir = join(checkpoints, jobId);
  if (!existsSync(jobDir)) return [];
  return readdirSync(jobDir)
    .map((name) => /^chk-(\d+)$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The WeirError `promise` rejects with (a refused restore, say); fails the test when it resolves or rejects with anything else. */
export async function refusal(promise: Promise<unknown>): Promise<WeirError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof WeirError, `expected a refusal, got ${String(error)}`);
  return error;
}
