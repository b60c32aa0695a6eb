/**
 * Worker threads booted ahead: a restart runs on threads that loaded the job while the failed
 * attempt still ran, never on the failed attempt's own threads; threads standing by are handed
 * out once each, dropped when they end, and ended when the pool closes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { JobCancelledError, runJob } from "../../../src/index.ts";
import { STANDBY_AFTER_MS, StandbyWorkers, standbyBootsNow } from "../../../src/runtime/threads/standby-workers.ts";
import { fixtureJob, tempDir } from "../job-fixtures.ts";

const JOB = fixtureJob("rt-restart-threads");

/** Waits until `done` holds, checking every 20 ms; false when it still does not after `giveUpMs`. */
async function until(done: () => boolean, giveUpMs = 120_000): Promise<boolean> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > giveUpMs) return false;
    await sleep(20);
  }
  return true;
}

const named = (dir: string, prefix: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));

describe("standby worker threads", () => {
  const cases = [
    { checkpointing: false, slowClock: false, title: "no checkpointing" },
    { checkpointing: true, slowClock: false, title: "booted once a checkpoint completed" },
    // The job's clock may say less time passed than the timer that looks at it waited (a timer set
    // while the event loop's time was stale fires early by the job's clock).
    { checkpointing: false, slowClock: true, title: "no checkpointing, the job's clock behind the timers" },
  ];
  for (const { checkpointing, slowClock, title } of cases) {
    it(`a restart after a failure runs on threads that loaded the job while the failed attempt ran, not on its threads (${title})`, async () => {
      const dir = tempDir("standby");
      process.env["WEIR_TEST_LOADS_DIR"] = dir;
      const abort = new AbortController();
      const origin = Date.now();
      const clock = slowClock ? { clock: { now: () => origin + (Date.now() - origin) * 0.9 } } : {};
      const run = runJob(JOB, { runtime: "threads", parallelism: 2, maxWorkers: 2, args: ["--dir", dir], ...clock, ...(checkpointing ? { checkpointing: { intervalMs: 50, dir: join(dir, "checkpoints") } } : {}), restartStrategy: { kind: "fixed-delay", attempts: 1, delayMs: 0 }, signal: abort.signal });
      const threads = () => named(dir, "loaded-").filter((id) => id !== "0");
      try {
        // The attempt's two threads, and two standing by for the next attempt.
        assert.ok(await until(() => threads().length >= 4), `threads that loaded the job: ${threads().join(", ")}`);
        const before = new Set(threads());
        writeFileSync(join(dir, "fail"), "");
        assert.ok(await until(() => named(dir, "reopened-").length >= 2), "the restarted map subtasks opened");
        const reopened = named(dir, "reopened-");
        const failed = new Set(named(dir, "opened-"));
        for (const id of reopened) {
          assert.ok(before.has(id), `thread ${id} of the restart had loaded the job before the failure (${[...before].join(", ")})`);
          assert.ok(!failed.has(id), `thread ${id} of the restart is not one of the failed attempt's (${[...failed].join(", ")})`);
        }
      } finally {
        abort.abort();
        await assert.rejects(run, JobCancelledError);
        delete process.env["WEIR_TEST_LOADS_DIR"];
      }
    });
  }

  it("boots the next attempt's threads only once the attempt has run long enough and, with checkpointing, completed a checkpoint", () => {
    const ran = { running: true, ranMs: STANDBY_AFTER_MS, checkpointing: true, checkpointed: true };
    assert.equal(standbyBootsNow(ran), true);
    assert.equal(standbyBootsNow({ ...ran, running: false }), false, "not while it deploys");
    assert.equal(standbyBootsNow({ ...ran, ranMs: STANDBY_AFTER_MS - 1 }), false, "not in a short run");
    assert.equal(standbyBootsNow({ ...ran, checkpointed: false }), false, "not before a checkpoint completed");
    assert.equal(standbyBootsNow({ ...ran, checkpointing: false, checkpointed: false }), true, "without checkpointing, once it ran long enough");
  });

  it("hands out each thread standing by once, boots a new one when none stands by, and ends those left when closed", async () => {
    const standby = new StandbyWorkers({ jobModule: fixtureJob("rt-restart-threads").href, checkpointIo: false });
    standby.fill(2);
    assert.equal(standby.size, 2);
    const first = standby.take();
    const second = standby.take();
    assert.notEqual(first, second);
    assert.equal(standby.size, 0);
    const fresh = standby.take();
    assert.ok(fresh !== first && fresh !== second);
    standby.fill(1);
    const left = standby.take();
    standby.fill(1);
    await Promise.all([first.terminate(), second.terminate(), fresh.terminate(), left.terminate()]);
    assert.equal(standby.size, 1);
    await standby.close();
    assert.equal(standby.size, 0);
    standby.fill(1);
    assert.equal(standby.size, 0);
  });

  it("drops a thread that ends while standing by", async () => {
    const standby = new StandbyWorkers({ jobModule: fixtureJob("rt-exits-on-import").href, checkpointIo: false });
    standby.fill(1);
    assert.equal(standby.size, 1);
    assert.ok(await until(() => standby.size === 0), "the thread that ended still stands by");
    await standby.close();
  });

  it("ends a thread standing by whose import of the job fails, so that no attempt is handed a thread that cannot load it", async () => {
    const standby = new StandbyWorkers({ jobModule: fixtureJob("rt-throws-on-import").href, checkpointIo: false });
    try {
      standby.fill(1);
      assert.equal(standby.size, 1);
      assert.ok(await until(() => standby.size === 0, 20_000), "the thread that could not load the job still stands by");
    } finally {
      await standby.close();
    }
  });
});
