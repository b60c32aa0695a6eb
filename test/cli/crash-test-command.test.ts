import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { crashTestCommand } from "../../src/cli/crash-test-command.ts";
import { CapturedIo } from "./captured-io.ts";

const JOB = fileURLToPath(new URL("../fixtures/jobs/crash-lines.ts", import.meta.url));

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  const code = await main(argv, io);
  return { code, io };
}

describe("weir crash-test", () => {
  it("explains every option in its help, and is listed among the commands", async () => {
    const { code, io } = await weir("crash-test", "--help");
    assert.equal(code, 0);
    assert.match(io.out, /^Usage: weir crash-test <job.ts> \[--runs N\] \[--seed S\] \[--faults list\]/);
    for (const option of crashTestCommand.options) assert.ok(io.out.includes(`--${option.name}`), option.name);
    for (const mode of ["--unaligned", "--buffer-debloat", "--buffer-debloat-target", "--local-recovery", "--incremental", "--state-backend"]) assert.ok(io.out.includes(mode), mode);
    assert.match((await weir("--help")).io.out, /crash-test/);
  });

  it("refuses an unknown fault and a malformed key as usage errors, naming the choices", async () => {
    const faults = await weir("crash-test", JOB, "--faults", "user,oom");
    assert.equal(faults.code, 2);
    assert.match(faults.io.err, /--faults .*user, snapshot-sync, snapshot-async, before-commit, lose-ack, kill/);
    const key = await weir("crash-test", JOB, "--key", "column:2");
    assert.equal(key.code, 2);
    assert.match(key.io.err, /--key must be csv:<n>/);
    assert.equal((await weir("crash-test")).code, 2);
  });

  it("kills and resumes a job that imports Weir by its package name, as the examples do", { timeout: 180_000 }, async () => {
    const workDir = mkdtempSync(join(tmpdir(), "weir-crash-test-kill-"));
    try {
      const example = fileURLToPath(new URL("../../examples/exactly-once.ts", import.meta.url));
      const args = ["--faults", "kill", "--key", "csv:0", "-p", "2", "--work-dir", workDir, "--", "--events", "4000", "--rate", "8000", "--keys", "10", "--out", "{run}/out"];
      const { code, io } = await weir("crash-test", example, "--seed", "1", "--runs", "1", ...args);
      assert.equal(code, 0, io.err);
      assert.match(io.err, /^run 1\/1, seed 1: kill -9 .*: pass/m);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it("exits 1 on a violation, printing the difference and the command that replays the run", { timeout: 120_000 }, async () => {
    const workDir = mkdtempSync(join(tmpdir(), "weir-crash-test-cli-"));
    try {
      const args = ["--single-thread", "--faults", "user", "--checkpoint-interval", "50", "--key", "csv:0", "--work-dir", workDir, "--", "--sink", "leaky", "--events", "3000", "--rate", "6000", "--out", "{run}/out"];
      const { code, io } = await weir("crash-test", JOB, "--seed", "5", "--runs", "1", ...args);
      assert.equal(code, 1, io.err);
      assert.match(io.err, /^reference run 1: completed, 3000 records committed by 1 comparable sink\(s\)$/m);
      assert.match(io.err, /^run 1\/1, seed 5: exception in a user function (once|twice) \(at record \d+.*\)[^:\n]*: FAIL/m);
      assert.match(io.err, /^ {2}sink 'leaky', key \d+: expected .+, got .+$/m);
      const replay = `npx weir crash-test ${JOB} --seed 5 --runs 1 --single-thread --faults user --checkpoint-interval 50 --key csv:0 --work-dir ${workDir} -- --sink leaky --events 3000 --rate 6000 --out {run}/out`;
      assert.ok(io.err.includes(`replay: ${replay}\n`), io.err);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
