import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.ts";
import { clickOf, WINDOW_MS } from "../../examples/window-count.ts";
import { CapturedIo } from "./captured-io.ts";
import { scratchDirectory, startJob } from "../rest/running-job.ts";

const UNBOUNDED = "test/fixtures/jobs/cli-unbounded.ts";
const scratch = scratchDirectory("weir-control-");

async function weir(...args: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  return { code: await main(args, io), io };
}

/** Every line of the files under `out`. */
function committedLines(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((f) => !f.startsWith("."))
    .flatMap((f) => readFileSync(join(out, f), "utf8").split("\n"))
    .filter((l) => l !== "");
}

/** Resolves once a committed line is under `out`, so a stop comes after checkpoints have committed some output. */
async function waitForLines(out: string): Promise<void> {
  while (committedLines(out).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("weir list, savepoint, stop and cancel", () => {
  it("list shows a running job, savepoint takes one into the directory given, cancel ends the job", async () => {
    const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1", "--rest-port", "0", "--checkpoint-interval", "100", "--checkpoint-dir", join(scratch(), "chk")]);
    const listed = await weir("list");
    assert.equal(listed.code, 0);
    assert.match(listed.io.out, new RegExp(`${job.jobId}\\s+RUNNING\\s+${job.address.replace(/\./g, "\\.")}\\s+${process.pid}`));

    const taken = await weir("savepoint", job.jobId.slice(0, -2), join(scratch(), "sp"));
    assert.equal(taken.code, 0, taken.io.err);
    const location = taken.io.out.trim();
    assert.ok(location.startsWith(join(scratch(), "sp", "savepoint-")), location);
    assert.ok(existsSync(join(location, "_metadata")));

    const cancelled = await weir("cancel", job.jobId);
    assert.equal(cancelled.code, 0, cancelled.io.err);
    assert.equal(await job.exit, 1);
    assert.equal((await weir("list")).io.out, "no running jobs\n");
    assert.ok(existsSync(join(location, "_metadata")), "the job's cleanup on cancel leaves savepoints alone");
  });

  it("refuses a job id that no running job has", async () => {
    const { code, io } = await weir("savepoint", "job-that-never-ran");
    assert.equal(code, 1);
    assert.match(io.err, /no running job 'job-that-never-ran'/);
    assert.match(io.err, /WEIR_ERR_JOB_NOT_RUNNING/);
    assert.equal((await weir("stop", "job-x")).code, 2, "stop needs --savepoint-dir");
  });

  it("stop with a savepoint finishes the job, and resuming from the moved savepoint commits each k,1..k,n_k exactly once", async () => {
    const out = join(scratch(), "eo-out");
    const events = 30_000;
    const keys = 7;
    const common = ["examples/exactly-once.ts", "-p", "2", "--checkpoint-interval", "100", "--checkpoint-dir", join(scratch(), "eo-chk"), "--rest-port", "0"];
    const job = await startJob([...common, "--", "--events", String(events), "--keys", String(keys), "--rate", "2000", "--out", out]);
    // A savepoint while checkpoints run commits nothing by itself; the stop's does.
    assert.equal((await weir("savepoint", job.jobId, join(scratch(), "eo-sp"))).code, 0);
    const stopped = await weir("stop", job.jobId, "--savepoint-dir", join(scratch(), "eo-sp"));
    assert.equal(stopped.code, 0, stopped.io.err);
    assert.equal(await job.exit, 0, job.io.err);
    const before = committedLines(out);
    assert.ok(before.length > 0 && before.length < events, `stopped mid-way: ${before.length} lines`);

    const moved = join(scratch(), "moved-savepoint");
    cpSync(stopped.io.out.trim(), moved, { recursive: true });
    rmSync(stopped.io.out.trim(), { recursive: true });
    const resumed = await weir("run", ...common, "--from", moved, "--quiet", "--", "--events", String(events), "--keys", String(keys), "--out", out);
    assert.equal(resumed.code, 0, resumed.io.err);

    const lines = committedLines(out);
    assert.equal(lines.length, events);
    assert.equal(new Set(lines).size, events, "no line twice");
    for (let k = 0; k < keys; k++) {
      const n = Math.floor(events / keys) + (k < events % keys ? 1 : 0);
      for (let c = 1; c <= n; c++) assert.ok(lines.includes(`${k},${c}`), `${k},${c}`);
    }
  });

  it("after a stop with a savepoint, --from latest resumes from that savepoint, and refuses while it is not where the stop put it", async () => {
    const out = join(scratch(), "latest-out");
    const events = 20_000;
    const keys = 5;
    const common = ["examples/exactly-once.ts", "-p", "2", "--checkpoint-interval", "100", "--checkpoint-dir", join(scratch(), "latest-chk"), "--rest-port", "0"];
    const jobArgs = ["--", "--events", String(events), "--keys", String(keys), "--out", out];
    const job = await startJob([...common, ...jobArgs.slice(0, 1), "--rate", "2000", ...jobArgs.slice(1)]);
    await waitForLines(out);
    const stopped = await weir("stop", job.jobId, "--savepoint-dir", join(scratch(), "latest-sp"));
    assert.equal(stopped.code, 0, stopped.io.err);
    assert.equal(await job.exit, 0, job.io.err);
    const savepoint = stopped.io.out.trim();

    const away = join(scratch(), "latest-sp-away");
    cpSync(savepoint, away, { recursive: true });
    rmSync(savepoint, { recursive: true });
    const refused = await weir("run", ...common, "--from", "latest", "--quiet", ...jobArgs);
    assert.equal(refused.code, 1);
    assert.match(refused.io.err, /was stopped with a savepoint, which holds its newest state/);
    assert.match(refused.io.err, /WEIR_ERR_CHECKPOINT_NOT_FOUND/);

    cpSync(away, savepoint, { recursive: true });
    const resumed = await weir("run", ...common, "--from", "latest", "--quiet", ...jobArgs);
    assert.equal(resumed.code, 0, resumed.io.err);
    const lines = committedLines(out);
    assert.equal(lines.length, events);
    assert.equal(new Set(lines).size, events, "no line twice: the resume started where the stop committed, not at an older checkpoint");
  });

  it("stop --drain fires the windows in progress before the savepoint, and stop without drain keeps them in it", async () => {
    const clicks = 4_000;
    const fullCount = new Map<number, number>();
    for (let seq = 0; seq < clicks; seq++) {
      const start = Math.floor(clickOf(seq, 1).at / WINDOW_MS) * WINDOW_MS;
      fullCount.set(start, (fullCount.get(start) ?? 0) + 1);
    }
    for (const drain of [true, false]) {
      const out = join(scratch(), `win-out-${drain}`);
      const common = ["examples/window-count.ts", "-p", "1", "--checkpoint-interval", "100", "--checkpoint-dir", join(scratch(), `win-chk-${drain}`), "--rest-port", "0"];
      const args = ["--", "--clicks", String(clicks), "--pages", "1", "--out", out];
      const job = await startJob([...common, ...args, "--rate", "1500"]);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const stopped = await weir("stop", job.jobId, "--savepoint-dir", join(scratch(), "win-sp"), ...(drain ? ["--drain"] : []));
      assert.equal(stopped.code, 0, stopped.io.err);
      assert.equal(await job.exit, 0, job.io.err);
      const first = committedLines(out);
      const resumed = await weir("run", ...common, "--from", stopped.io.out.trim(), "--quiet", ...args);
      assert.equal(resumed.code, 0, resumed.io.err);
      const all = committedLines(out).map((l) => l.split(",").map(Number.parseFloat) as unknown as [unknown, number, number]);
      assert.equal(all.reduce((sum, [, , count]) => sum + count, 0), clicks, "every click counted once");
      const starts = all.map(([, start]) => start);
      if (drain) {
        // Windows in progress fired early at the stop, and again for their rest after the resume.
        const partial = first.map((l) => l.split(",").map(Number)).filter(([, start, count]) => count! < fullCount.get(start!)!);
        assert.ok(partial.length >= 1, `a window fired before it was full: ${first.join(" ")}`);
        for (const [, start] of partial) assert.equal(starts.filter((s) => s === start).length, 2, `window ${start}`);
      } else {
        assert.equal(new Set(starts).size, starts.length, "each window fired once, across the stop");
        for (const [, start, count] of all) assert.equal(count, fullCount.get(start));
      }
    }
  });
});
