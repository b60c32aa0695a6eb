/**
 * A job asked to resume from a checkpoint it cannot resume from is refused with the code of what
 * is wrong and a message naming it, and never starts from scratch instead: its sinks are never
 * created (the fixture's `--touch` file stays absent) and its committed output stays as it was.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, WeirError, type ErrorCode, type RunOptions, type RuntimeMode } from "../../../src/index.ts";
import { committedLines, COUNT_JOB, countRunDirs, runCount, RUNTIMES, type CountRunDirs } from "../checkpointing/checkpointing-helpers.ts";

/** A completed run of the count job; its final checkpoint is the only one on disk. */
interface Finished {
  readonly dirs: CountRunDirs;
  readonly jobId: string;
  /** The `chk-<n>` directory of the final checkpoint. */
  readonly checkpointDir: string;
  /** What the run committed. */
  readonly committed: readonly string[];
}

async function finishedRun(prefix: string): Promise<Finished> {
  const dirs = countRunDirs(prefix);
  // Every state in a file of its own (memory threshold 0), so that the tests can delete or damage one.
  const result = await runCount(dirs, "single-thread", ["--events", "200"], { checkpointing: { intervalMs: 60_000, memoryThreshold: 0 } });
  const id = result.info.checkpoints!.latestCompleted!.id;
  return { dirs, jobId: result.info.jobId, checkpointDir: join(dirs.checkpoints, result.info.jobId, `chk-${id}`), committed: committedLines(dirs.out) };
}

let resumes = 0;

/** Runs the count job again from `from`, into the same output, and returns what it failed with, whether it ran, and the output. */
async function resume(
  run: Finished,
  from: string,
  runtime: RuntimeMode,
  options: Omit<RunOptions, "runtime" | "args"> = {},
  args: readonly string[] = [],
): Promise<{ error: unknown; ran: boolean; committed: string[] }> {
  const touch = join(run.dirs.root, `resumed-sink-created-${resumes++}`);
  const error = await runCount(run.dirs, runtime, ["--events", "200", "--touch", touch, ...args], {
    checkpointing: { intervalMs: 60_000 },
    restartStrategy: "fixed-delay:attempts=2,delay=0",
    from,
    ...options,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ran: existsSync(touch), committed: committedLines(run.dirs.out) };
}

interface Outcome {
  readonly error: unknown;
  readonly ran: boolean;
  readonly committed: string[];
}

function assertFailed(run: Finished, outcome: Outcome, code: ErrorCode, ...parts: readonly string[]): void {
  const { error } = outcome;
  assert.ok(error instanceof WeirError, `expected a refusal with ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  for (const part of parts) assert.ok(error.message.includes(part), `the message names ${part}: ${error.message}`);
  assert.deepEqual(outcome.committed, run.committed, "the committed output is unchanged");
}

/** Refused before anything was deployed: no sink was even created. */
function assertRefused(run: Finished, outcome: Outcome, code: ErrorCode, ...parts: readonly string[]): void {
  assertFailed(run, outcome, code, ...parts);
  assert.equal(outcome.ran, false, "the job did not run");
}

describe("refusals to resume", () => {
  it("from latest with no checkpoint under the directory: WEIR_ERR_CHECKPOINT_NOT_FOUND", async () => {
    const run = await finishedRun("ck-refuse-none");
    rmSync(run.dirs.checkpoints, { recursive: true });
    assertRefused(run, await resume(run, "latest", "single-thread"), "WEIR_ERR_CHECKPOINT_NOT_FOUND", run.dirs.checkpoints, "no completed checkpoint");
    mkdirSync(run.dirs.checkpoints);
    assertRefused(run, await resume(run, "latest", "single-thread"), "WEIR_ERR_CHECKPOINT_NOT_FOUND", run.dirs.checkpoints);
  });

  it("from a path where nothing is: WEIR_ERR_CHECKPOINT_NOT_FOUND naming the path", async () => {
    const run = await finishedRun("ck-refuse-nothing");
    const nowhere = join(run.dirs.root, "no-such-checkpoint");
    assertRefused(run, await resume(run, nowhere, "single-thread"), "WEIR_ERR_CHECKPOINT_NOT_FOUND", nowhere);
  });

  it("from a checkpoint directory without _metadata: WEIR_ERR_CHECKPOINT_INCOMPLETE; latest skips it and finds none", async () => {
    const run = await finishedRun("ck-refuse-incomplete");
    unlinkSync(join(run.checkpointDir, "_metadata"));
    assertRefused(run, await resume(run, run.checkpointDir, "single-thread"), "WEIR_ERR_CHECKPOINT_INCOMPLETE", run.checkpointDir, "no _metadata");
    assertRefused(run, await resume(run, join(run.dirs.checkpoints, run.jobId), "single-thread"), "WEIR_ERR_CHECKPOINT_INCOMPLETE", "no _metadata");
    assertRefused(run, await resume(run, "latest", "single-thread"), "WEIR_ERR_CHECKPOINT_NOT_FOUND", "no completed checkpoint");
  });

  it("from corrupt _metadata: WEIR_ERR_CHECKPOINT_CORRUPT, by path and as the latest", async () => {
    const run = await finishedRun("ck-refuse-corrupt");
    const metadata = join(run.checkpointDir, "_metadata");
    const bytes = readFileSync(metadata);
    writeFileSync(metadata, bytes.subarray(0, bytes.length - 20));
    assertRefused(run, await resume(run, run.checkpointDir, "single-thread"), "WEIR_ERR_CHECKPOINT_CORRUPT", metadata, "not valid JSON");
    assertRefused(run, await resume(run, "latest", "single-thread"), "WEIR_ERR_CHECKPOINT_CORRUPT", metadata);
    writeFileSync(metadata, bytes.toString("utf8").replace(/"count-per-key"/, '"count-per-kez"'));
    assertRefused(run, await resume(run, "latest", "single-thread"), "WEIR_ERR_CHECKPOINT_CORRUPT", metadata, "checksum");
  });

  for (const runtime of RUNTIMES) {
    it(`with a state file deleted: WEIR_ERR_CHECKPOINT_STATE_MISSING naming the file (${runtime})`, async () => {
      const run = await finishedRun("ck-refuse-missing");
      const stateFile = join(run.checkpointDir, readdirSync(run.checkpointDir).find((name) => name.startsWith("count%2Dper%2Dkey-1-"))!);
      unlinkSync(stateFile);
      assertRefused(run, await resume(run, "latest", runtime), "WEIR_ERR_CHECKPOINT_STATE_MISSING", stateFile, "missing");
      assertRefused(run, await resume(run, run.checkpointDir, runtime), "WEIR_ERR_CHECKPOINT_STATE_MISSING", stateFile);
    });

    it(`with a state file damaged or truncated: WEIR_ERR_CHECKPOINT_CORRUPT naming the file, no restart, nothing committed (${runtime})`, async () => {
      const run = await finishedRun("ck-refuse-damaged");
      const stateFile = join(run.checkpointDir, readdirSync(run.checkpointDir).find((name) => name.startsWith("events-0-"))!);
      const bytes = readFileSync(stateFile);
      const damaged = Buffer.from(bytes);
      damaged[damaged.length - 1] ^= 0xff;
      writeFileSync(stateFile, damaged);
      let restarts = 0;
      // State files are read as subtasks are deployed: in the threads runtime each worker reads its
      // own, so a worker whose state is intact may open its sinks before the attempt fails.
      const damagedOutcome = await resume(run, "latest", runtime, { onRestart: () => restarts++ });
      assertFailed(run, damagedOutcome, "WEIR_ERR_CHECKPOINT_CORRUPT", stateFile, "checksum");
      if (runtime === "single-thread") assert.equal(damagedOutcome.ran, false, "the job did not run");
      assert.equal(restarts, 0, "a corrupt checkpoint is not retried");
      writeFileSync(stateFile, bytes.subarray(0, 2));
      assertRefused(run, await resume(run, "latest", runtime), "WEIR_ERR_CHECKPOINT_CORRUPT", stateFile, "truncated");
    });

    it(`from a checkpoint whose stateful operator's uid the job no longer has: WEIR_ERR_UID_MISMATCH naming it; latest finds no checkpoint of the graph (${runtime})`, async () => {
      const run = await finishedRun("ck-refuse-mismatch");
      const otherUid = await resume(run, run.checkpointDir, runtime, {}, ["--count-uid", "another-count"]);
      assertRefused(run, otherUid, "WEIR_ERR_UID_MISMATCH", run.checkpointDir, "'count-per-key': its state matches no operator of the job", "--allow-non-restored-state");
      const latest = await resume(run, "latest", runtime, {}, ["--count-uid", "another-count"]);
      assertRefused(run, latest, "WEIR_ERR_CHECKPOINT_NOT_FOUND", "belong to other job graphs", "--from <path>");
    });
  }

  it("resuming without checkpointing enabled is refused as an invalid argument", async () => {
    const run = await finishedRun("ck-refuse-disabled");
    const touch = join(run.dirs.root, "sink-created");
    await assert.rejects(
      runJob(COUNT_JOB, { runtime: "single-thread", from: "latest", args: ["--out", join(run.dirs.root, "o"), "--touch", touch] }),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && /needs checkpointing enabled/.test(e.message),
    );
    assert.equal(existsSync(touch), false);
  });
});
