import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.ts";
import { isLoopback, matchRoute } from "../../src/rest/rest-server.ts";
import { CapturedIo } from "../cli/captured-io.ts";
import { call, scratchDirectory, settled, startJob } from "./running-job.ts";

const UNBOUNDED = "test/fixtures/jobs/cli-unbounded.ts";
const scratch = scratchDirectory("weir-rest-");

describe("the control API's routes", () => {
  it("follow Flink's REST paths, with or without the v1 prefix", () => {
    assert.deepEqual(matchRoute("GET", "/jobs"), { kind: "jobs" });
    assert.deepEqual(matchRoute("GET", "/v1/jobs/j1"), { kind: "job", jobId: "j1" });
    assert.deepEqual(matchRoute("PATCH", "/jobs/j1"), { kind: "cancel", jobId: "j1" });
    assert.deepEqual(matchRoute("GET", "/jobs/j1/checkpoints"), { kind: "checkpoints", jobId: "j1" });
    assert.deepEqual(matchRoute("POST", "/jobs/j1/savepoints"), { kind: "trigger-savepoint", jobId: "j1" });
    assert.deepEqual(matchRoute("GET", "/jobs/j1/savepoints/t9"), { kind: "savepoint-status", jobId: "j1", triggerId: "t9" });
    assert.deepEqual(matchRoute("POST", "/jobs/j1/stop"), { kind: "stop", jobId: "j1" });
  });

  it("refuse other methods and unknown paths", () => {
    assert.deepEqual(matchRoute("DELETE", "/jobs/j1"), { kind: "method-not-allowed", allowed: "GET, PATCH" });
    assert.deepEqual(matchRoute("GET", "/jobs/j1/stop"), { kind: "method-not-allowed", allowed: "POST" });
    assert.deepEqual(matchRoute("GET", "/overview"), { kind: "not-found" });
    assert.deepEqual(matchRoute("GET", "/jobs/j1/vertices"), { kind: "not-found" });
  });

  it("count only loopback addresses as reachable from this machine alone", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) assert.equal(isLoopback(host), true, host);
    for (const host of ["0.0.0.0", "192.168.1.4", "::", "example.com"]) assert.equal(isLoopback(host), false, host);
  });
});

describe("a running job's control API", () => {
  it("shows the job, its checkpoints with per-subtask figures, and takes a savepoint that counts as one", async () => {
    const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1", "--rest-port", "0", "--checkpoint-interval", "50", "--checkpoint-dir", join(scratch(), "chk1")]);
    try {
      const details = await call(job.address, "GET", `/jobs/${job.jobId}`);
      assert.equal(details.status, 200);
      assert.equal(details.body.jid, job.jobId);
      assert.equal(details.body.state, "RUNNING");
      assert.equal(details.body.vertices.length, 2);
      // Records in and out per operator, as of the tasks' latest progress report (none before the first).
      let operators: { name: string; metrics: { numRecordsIn: number; numRecordsOut: number } }[] = details.body.operators;
      while (!operators.some((op) => op.metrics.numRecordsOut > 0)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        operators = (await call(job.address, "GET", `/jobs/${job.jobId}`)).body.operators;
      }
      assert.ok(operators.every((op) => Number.isSafeInteger(op.metrics.numRecordsIn) && typeof op.name === "string"));

      const target = join(scratch(), "savepoints");
      const trigger = await call(job.address, "POST", `/jobs/${job.jobId}/savepoints`, { "target-directory": target });
      assert.equal(trigger.status, 202);
      const done = await settled(job.address, job.jobId, trigger.body["request-id"]);
      const location: string = done.operation.location;
      assert.ok(location.startsWith(join(target, `savepoint-${job.jobId.slice(0, 6)}-`)), location);
      assert.ok(existsSync(join(location, "_metadata")));
      for (const file of readdirSync(location)) assert.ok(file === "_metadata" || file.endsWith(".state"), file);
      const metadata = readFileSync(join(location, "_metadata"), "utf8");
      assert.ok(!metadata.includes(scratch()), "the savepoint names its files relative to itself");

      const stats = (await call(job.address, "GET", `/jobs/${job.jobId}/checkpoints`)).body;
      const savepoint = stats.history.find((c: { is_savepoint: boolean }) => c.is_savepoint);
      assert.equal(savepoint.checkpoint_type, "SAVEPOINT");
      assert.equal(savepoint.status, "COMPLETED");
      assert.equal(stats.latest.savepoint.id, savepoint.id);
      assert.equal(savepoint.subtasks.length, savepoint.num_subtasks);
      assert.ok(savepoint.subtasks.every((s: { state_size: number; checkpoint: { sync: number } }) => s.state_size >= 0 && s.checkpoint.sync >= 0));
      assert.ok(stats.counts.completed >= 1);
    } finally {
      await call(job.address, "PATCH", `/jobs/${job.jobId}?mode=cancel`);
      await job.exit;
    }
  });

  it("cancels the job on PATCH, and the run reports it cancelled", async () => {
    const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1", "--rest-port", "0"]);
    const answer = await call(job.address, "PATCH", `/jobs/${job.jobId}?mode=cancel`);
    assert.equal(answer.status, 202);
    assert.equal(await job.exit, 1);
    assert.match(job.io.err, /job cancelled after .* through its control API/);
  });

  it("refuses a savepoint of a job that takes no checkpoints with 409 and the reason", async () => {
    const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1", "--rest-port", "0"]);
    try {
      const answer = await call(job.address, "POST", `/jobs/${job.jobId}/savepoints`, {});
      assert.equal(answer.status, 409);
      assert.match(answer.body.errors[0], /takes no checkpoints/);
      const wrong = await call(job.address, "POST", `/jobs/${job.jobId}/stop`, { drain: "yes" });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.errors[0], /field 'drain' must be true or false/);
      assert.equal((await call(job.address, "GET", "/jobs/no-such-job")).status, 404);
    } finally {
      await call(job.address, "PATCH", `/jobs/${job.jobId}`);
      await job.exit;
    }
  });

  it("refuses requests without the job's token with 401", async () => {
    const token = "s3cret-token";
    const auth = { authorization: `Bearer ${token}` };
    const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1", "--rest-port", "0", "--rest-token", token], auth);
    try {
      const without = await call(job.address, "GET", "/jobs");
      assert.equal(without.status, 401);
      assert.match(without.body.errors[0], /needs its token/);
      assert.equal((await call(job.address, "GET", "/jobs", undefined, { authorization: "Bearer wrong-token" })).status, 401);
      assert.equal((await call(job.address, "PATCH", `/jobs/${job.jobId}`)).status, 401);
      assert.equal((await call(job.address, "GET", "/jobs", undefined, auth)).status, 200);
    } finally {
      await call(job.address, "PATCH", `/jobs/${job.jobId}`, undefined, auth);
      await job.exit;
    }
  });

  it("takes a free port and prints it when the default port is taken", async () => {
    const blocker = createServer();
    // Another job, or anything else, may hold 8081 already: either way it is taken.
    await new Promise<void>((resolve) => blocker.once("error", () => resolve()).listen(8081, "127.0.0.1", () => resolve()));
    try {
      const job = await startJob([UNBOUNDED, "--single-thread", "-p", "1"]);
      assert.match(job.io.err, /control API at http:\/\/127\.0\.0\.1:\d+ \(port 8081 is taken\)/);
      assert.notEqual(new URL(job.address).port, "8081");
      await call(job.address, "PATCH", `/jobs/${job.jobId}`);
      await job.exit;
    } finally {
      blocker.close();
    }
  });

  it("refuses a port given explicitly that is taken, before the job starts", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const io = new CapturedIo();
      assert.equal(await main(["run", UNBOUNDED, "--single-thread", "--rest-port", String(port)], io), 1);
      assert.match(io.err, /WEIR_ERR_REST_BIND/);
      assert.doesNotMatch(io.err, /job started/);
    } finally {
      blocker.close();
    }
  });

  it("refuses to listen beyond this machine without a token", async () => {
    const io = new CapturedIo();
    const previous = process.env.WEIR_REST_TOKEN;
    delete process.env.WEIR_REST_TOKEN;
    try {
      assert.equal(await main(["run", UNBOUNDED, "--rest-bind", "0.0.0.0"], io), 2);
      assert.match(io.err, /--rest-bind 0\.0\.0\.0 makes the control API reachable from other machines: give it a token/);
    } finally {
      if (previous !== undefined) process.env.WEIR_REST_TOKEN = previous;
    }
  });
});
