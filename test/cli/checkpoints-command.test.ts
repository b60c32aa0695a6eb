import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpointsCommand } from "../../src/cli/checkpoints-command.ts";
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "./captured-io.ts";
import { runCheckpointed } from "./checkpointed-run.ts";

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  const code = await main(argv, io);
  return { code, io };
}

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "weir-cli-checkpoints-"));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A checkpoint directory holding the one checkpoint of a run of the checkpointed fixture job; its job id. */
async function withCheckpoint(run: (dir: string, jobId: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const { code, io } = await runCheckpointed(dir, "--quiet");
    assert.equal(code, 0, io.err);
    const jobId = (await weir("checkpoints", dir, "--json")).io.out.match(/"jobId": "(job-[^"]+)"/)?.[1];
    assert.ok(jobId !== undefined, "the run left a checkpoint");
    await run(dir, jobId);
  });
}

describe("weir checkpoints", () => {
  it("prints a table of the checkpoints a run left: job id, id, status, time, own, shared and in-flight bytes, and path", async () => {
    await withCheckpoint(async (dir, jobId) => {
      const { code, io } = await weir("checkpoints", dir);
      assert.equal(code, 0, io.err);
      const [header, row, end, ...rest] = io.out.split("\n");
      assert.match(header!, /^JOB +ID +STATUS +TIME +OWN +SHARED +IN-FLIGHT +PATH$/);
      const path = join(dir, jobId, "chk-1");
      assert.match(row!, new RegExp(`^${jobId} +1 +complete +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +\\d+(\\.\\d)? (B|KiB) +0 B +0 B +${path}$`));
      assert.deepEqual([end, rest], ["", []]);
      assert.equal(io.err, "");
    });
  });

  it("lists one job's checkpoints when given that job's directory, and marks an incomplete one", async () => {
    await withCheckpoint(async (dir, jobId) => {
      mkdirSync(join(dir, jobId, "chk-7"));
      const { code, io } = await weir("checkpoints", join(dir, jobId));
      assert.equal(code, 0, io.err);
      assert.match(io.out, new RegExp(`\\n${jobId} +1 +complete `));
      assert.match(io.out, new RegExp(`\\n${jobId} +7 +incomplete `));
    });
  });

  it("prints the checkpoints as JSON with --json", async () => {
    await withCheckpoint(async (dir, jobId) => {
      const { code, io } = await weir("checkpoints", dir, "--json");
      assert.equal(code, 0, io.err);
      const rows = JSON.parse(io.out) as Record<string, unknown>[];
      assert.equal(rows.length, 1);
      const [row] = rows;
      assert.deepEqual(Object.keys(row!).sort(), ["checkpointId", "inFlightBytes", "jobId", "path", "sizeBytes", "status", "time"]);
      assert.deepEqual([row!.jobId, row!.checkpointId, row!.status, row!.path], [jobId, 1, "complete", join(dir, jobId, "chk-1")]);
      assert.ok(typeof row!.sizeBytes === "number" && row!.sizeBytes > 0);
      assert.match(String(row!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(existsSync(join(String(row!.path), "_metadata")));
    });
  });

  it("says so and exits 0 when the directory holds no checkpoint", async () => {
    await withTempDir(async (dir) => {
      const table = await weir("checkpoints", dir);
      assert.deepEqual([table.code, table.io.out, table.io.err], [0, `no checkpoints in ${dir}\n`, ""]);
      const json = await weir("checkpoints", dir, "--json");
      assert.deepEqual([json.code, json.io.out], [0, "[]\n"]);
    });
  });

  it("exits 1 with the error and its code when the directory does not exist", async () => {
    await withTempDir(async (dir) => {
      const missing = join(dir, "nothing-here");
      for (const json of [[], ["--json"]]) {
        const { code, io } = await weir("checkpoints", missing, ...json);
        assert.equal(code, 1);
        assert.equal(io.out, "");
        assert.equal(io.err, `weir checkpoints: no checkpoints at ${missing}: nothing is there\n  code: WEIR_ERR_CHECKPOINT_NOT_FOUND (see docs/errors.md)\n`);
      }
    });
  });

  it("refuses a second directory and unknown options with exit code 2", async () => {
    const two = await weir("checkpoints", "a", "b");
    assert.equal(two.code, 2);
    assert.match(two.io.err, /^weir checkpoints: unexpected argument 'b': give one checkpoint directory\nRun 'weir checkpoints --help' for usage\.\n$/);
    const unknown = await weir("checkpoints", "--jsn");
    assert.equal(unknown.code, 2);
    assert.match(unknown.io.err, /unknown option '--jsn' \(did you mean --json\?\)/);
  });

  it("--help explains the command, its options, exit codes and examples; weir --help lists it", async () => {
    const { code, io } = await weir("checkpoints", "--help");
    assert.equal(code, 0);
    for (const option of checkpointsCommand.options) assert.ok(io.out.includes(`--${option.name}`), option.name);
    assert.match(io.out, /^Usage: weir checkpoints \[dir\] \[--json\]\n/);
    assert.match(io.out, /\(default: a table\)/);
    assert.match(io.out, /Examples:\n {2}# .*\n {2}weir checkpoints\n/);
    assert.match((await weir("--help")).io.out, /\n {2}checkpoints +list the checkpoints on disk/);
  });
});
