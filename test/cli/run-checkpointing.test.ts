import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "./captured-io.ts";
import { CHECKPOINTED_JOB, runCheckpointed } from "./checkpointed-run.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "weir-cli-run-"));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const JOB_ID = / as (job-\S+) \(single thread\)\n/;

describe("weir run with checkpoints", () => {
  it("names the job id at the start, prints each completed checkpoint, and sums them up", async () => {
    await withTempDir(async (dir) => {
      const { code, io } = await runCheckpointed(dir);
      assert.equal(code, 0, io.err);
      const jobId = io.err.match(JOB_ID)?.[1];
      assert.ok(jobId !== undefined, io.err);
      assert.match(io.err, new RegExp(`^job started: ${CHECKPOINTED_JOB} as ${jobId} \\(single thread\\)\\n`));
      assert.match(io.err, /\ncheckpoint 1 completed in \S+, \d+(\.\d)? (B|KiB)\n/);
      assert.match(io.err, new RegExp(`\\njob finished in \\S+ \\(${jobId}\\): 0 restarts, 1 checkpoint completed, 0 failed\\n`));
    });
  });

  it("prints checkpoints of a job on worker threads too", async () => {
    await withTempDir(async (dir) => {
      const io = new CapturedIo();
      const code = await main(["run", CHECKPOINTED_JOB, "-p", "2", "--checkpoint-interval", "1h", "--checkpoint-dir", dir], io);
      assert.equal(code, 0, io.err);
      assert.match(io.err, /\ncheckpoint 1 completed in /);
      assert.match(io.err, /: 0 restarts, 1 checkpoint completed, 0 failed\n/);
    });
  });

  it("prints no completed checkpoint and no summary with --quiet", async () => {
    await withTempDir(async (dir) => {
      const { code, io } = await runCheckpointed(dir, "--quiet");
      assert.equal(code, 0, io.err);
      assert.equal(io.err, "");
    });
  });

  it("refuses to start a job from scratch over a completed checkpoint of it, saying how to resume or start over; --fresh starts over", async () => {
    await withTempDir(async (dir) => {
      const first = await runCheckpointed(dir);
      assert.equal(first.code, 0, first.io.err);
      const again = await runCheckpointed(dir);
      assert.equal(again.code, 1, again.io.err);
      assert.match(again.io.err, /^job refused: checkpoint 1 of this job \(job-\S+\) is complete in .*--from latest.*--fresh/);
      assert.match(again.io.err, /\n {2}code: WEIR_ERR_RESUMABLE_CHECKPOINT \(see docs\/errors\.md\)\n/);
      const fresh = await runCheckpointed(dir, "--fresh");
      assert.equal(fresh.code, 0, fresh.io.err);
      assert.match(fresh.io.err, /: 0 restarts, 1 checkpoint completed, 0 failed\n/);
      assert.equal(readdirSync(dir).length, 2, "the fresh start is a new job");
    });
  });

  it("resumes the job with --from latest, saying which checkpoint it restores, and goes on numbering checkpoints", async () => {
    await withTempDir(async (dir) => {
      const first = await runCheckpointed(dir);
      assert.equal(first.code, 0, first.io.err);
      const jobId = first.io.err.match(JOB_ID)?.[1];
      const { code, io } = await runCheckpointed(dir, "--from", "latest");
      assert.equal(code, 0, io.err);
      assert.match(io.err, new RegExp(`^attempt 1 of ${jobId}: restoring checkpoint 1 from ${join(dir, jobId!, "chk-1", "_metadata")}\\n`));
      assert.match(io.err, /\ncheckpoint 2 completed in /);
    });
  });

  it("keeps the checkpoints of a cancelled job with --on-cancel retain, and deletes them by default", async () => {
    for (const onCancel of [["--on-cancel", "retain"], []]) {
      await withTempDir(async (dir) => {
        const io = new CapturedIo();
        const argv = ["run", "test/fixtures/jobs/cli-unbounded.ts", "--single-thread", "-p", "1", "--checkpoint-interval", "20", "--checkpoint-dir", dir];
        const exit = main([...argv, ...onCancel], io);
        await io.stderrIncludes("checkpoint 1 completed");
        io.raise("SIGINT");
        assert.equal(await exit, 130, io.err);
        const listed = new CapturedIo();
        await main(["checkpoints", dir], listed);
        if (onCancel.length > 0) assert.match(listed.out, /\njob-\S+ +\d+ +complete /);
        else assert.doesNotMatch(listed.out, / complete /);
      });
    }
  });

  it("refuses --from latest when the checkpoint directory holds no checkpoint, and exits 1", async () => {
    await withTempDir(async (dir) => {
      const { code, io } = await runCheckpointed(dir, "--from", "latest");
      assert.equal(code, 1);
      assert.equal(io.err, `job refused: no completed checkpoint under '${dir}' to resume from\n  code: WEIR_ERR_CHECKPOINT_NOT_FOUND (see docs/errors.md)\n`);
    });
  });

  it("refuses a checkpoint whose state the job would lose, explaining each operator, and a path that holds none, with their codes", async () => {
    await withTempDir(async (dir) => {
      assert.equal((await runCheckpointed(dir, "--quiet")).code, 0);
      const chk = readdirSync(dir).map((job) => join(dir, job, "chk-1"))[0]!;
      const other = await runCheckpointed(dir, "-p", "2", "--from", chk, "--map-uid", "sum-by-key=numbers");
      assert.equal(other.code, 1);
      assert.match(other.io.err, /^job refused: checkpoint .* cannot be restored into this job: 'numbers': its state matches no operator/);
      assert.match(other.io.err, /what the restore would do:\n {2}restored +'numbers' from 'sum-by-key' \(--map-uid\)/);
      assert.match(other.io.err, /code: WEIR_ERR_UID_MISMATCH/);
      const none = await runCheckpointed(dir, "--from", join(dir, "nothing"));
      assert.equal(none.code, 1);
      assert.match(none.io.err, /^job refused: .*\n {2}code: WEIR_ERR_CHECKPOINT_NOT_FOUND/);
    });
  });

  it("refuses --from on a job without checkpointing", async () => {
    const io = new CapturedIo();
    const code = await main(["run", CHECKPOINTED_JOB, "--single-thread", "--from", "latest"], io);
    assert.equal(code, 1);
    assert.match(io.err, /^job refused: resuming from a checkpoint needs checkpointing enabled/);
  });

  it("refuses a checkpoint directory that cannot be written before the job starts", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "a-file");
      writeFileSync(file, "");
      const { code, io } = await runCheckpointed(join(file, "checkpoints"), "--quiet", "--restart-strategy", "none");
      assert.equal(code, 1);
      assert.match(io.err, /^job refused: checkpoint directory '.*a-file\/checkpoints\/job-\S+' cannot be written: ENOTDIR/);
      assert.match(io.err, /\n {2}code: WEIR_ERR_CHECKPOINT_IO \(see docs\/errors\.md\)\n$/);
    });
  });

  it("reports each restart, even with --quiet, and a job whose restarts ran out as failed", async () => {
    await withTempDir(async (dir) => {
      const io = new CapturedIo();
      const argv = ["run", "test/fixtures/jobs/cli-failing.ts", "--single-thread", "-p", "1", "--quiet"];
      const strategy = ["--checkpoint-interval", "1h", "--checkpoint-dir", dir, "--restart-strategy", "fixed-delay:attempts=2,delay=0"];
      const code = await main([...argv, ...strategy], io);
      assert.equal(code, 1);
      const restart = (n: number) => `restarting in 0ms (restart ${n}) after a failure: operator 'Unlucky map' (subtask 1/1) failed: Error: record 13 is unlucky\n`;
      assert.ok(io.err.startsWith(restart(1) + restart(2) + "job failed: operator 'Unlucky map'"), io.err);
      assert.match(io.err, /\n {2}code: WEIR_ERR_RESTARTS_EXHAUSTED \(see docs\/errors\.md\)\n {2}cause stack:\n {4}at .*cli-failing\.ts:\d+:\d+/);
    });
  });

  it("says how each attempt after a restart starts", async () => {
    await withTempDir(async (dir) => {
      const io = new CapturedIo();
      const argv = ["run", "test/fixtures/jobs/cli-failing.ts", "--single-thread", "-p", "1", "--checkpoint-interval", "1h", "--checkpoint-dir", dir];
      const code = await main([...argv, "--restart-strategy", "fixed-delay:attempts=1,delay=0"], io);
      assert.equal(code, 1);
      assert.match(io.err, /\nrestarting in 0ms \(restart 1\) after a failure: .*\nattempt 2 of job-\S+: starting from scratch\n/);
    });
  });
});
