import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findJob, listRegisteredJobs, registerJob, registryDir, type RegisteredJob } from "../../src/rest/job-registry.ts";

const job = (jobId: string, pid: number, startTime: number): RegisteredJob => ({ jobId, name: "jobs/a.ts", address: "http://127.0.0.1:8081", pid, startTime });

describe("the job registry", () => {
  it("lives under WEIR_STATE_DIR, else under the XDG state directory", () => {
    assert.equal(registryDir({ WEIR_STATE_DIR: "/srv/weir" }), "/srv/weir/jobs");
    assert.equal(registryDir({ XDG_STATE_HOME: "/home/u/.state" }), "/home/u/.state/weir/jobs");
  });

  it("lists registered jobs whose process lives, removes the others' entries, and forgets a job that unregistered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-registry-"));
    try {
      const unregister = await registerJob(dir, job("job-b", 1, 20));
      await registerJob(dir, job("job-a", 2, 10));
      await registerJob(dir, job("job-dead", 3, 5));
      writeFileSync(join(dir, "not-a-job.json"), "{ half");
      const alive = (pid: number) => pid !== 3;
      assert.deepEqual((await listRegisteredJobs(dir, alive)).map((j) => j.jobId), ["job-a", "job-b"]);
      assert.equal(existsSync(join(dir, "job-dead.json")), false);
      await unregister();
      assert.deepEqual((await listRegisteredJobs(dir, alive)).map((j) => j.jobId), ["job-a"]);
      assert.deepEqual(await listRegisteredJobs(join(dir, "missing")), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds a job by its id or a unique start of it, and says why it cannot", () => {
    const jobs = [job("job-2025-aa", 1, 1), job("job-2025-ab", 1, 2), job("job-2026-cc", 1, 3)];
    assert.deepEqual(findJob(jobs, "job-2026"), { found: jobs[2] });
    assert.deepEqual(findJob(jobs, "job-2025-ab"), { found: jobs[1] });
    assert.match((findJob(jobs, "job-2025") as { problem: string }).problem, /start of 2 running jobs' ids/);
    assert.match((findJob(jobs, "nope") as { problem: string }).problem, /no running job 'nope'; 'weir list'/);
    assert.match((findJob([], "nope") as { problem: string }).problem, /no job is running/);
  });
});
