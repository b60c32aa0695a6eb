/**
 * A checkpointed run of an example, on worker threads, killed with SIGKILL once two checkpoints
 * completed, for the tests that resume it: where it kept its files, and its newest checkpoint.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs `weir run <job> <options> --checkpoint-interval 150 --checkpoint-dir <root>/chk -- <jobArgs>
 * --out <root>/out`, kills it after checkpoint 2, and returns `root` (a new temp dir).
 */
export async function killedRun(job: string, options: readonly string[], jobArgs: readonly string[], prefix: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), `weir-${prefix}-`));
  const child = spawn(
    process.execPath,
    ["bin/weir.js", "run", job, ...options, "--checkpoint-interval", "150", "--checkpoint-dir", join(root, "chk"), "--", ...jobArgs, "--out", join(root, "out")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (/checkpoint 2 completed/.test(err)) resolve();
    });
    void exited.then(resolve);
  });
  child.kill("SIGKILL");
  await exited;
  assert.match(err, /checkpoint 2 completed/, err);
  assert.doesNotMatch(err, /job finished/, "the run was killed before its input ended");
  return root;
}

/** The newest complete checkpoint of the run, as 'weir checkpoints' would name it. */
export function latestCheckpoint(root: string): string {
  const jobDir = join(root, "chk", readdirSync(join(root, "chk"))[0]!);
  const ids = readdirSync(jobDir)
    .filter((n) => n.startsWith("chk-") && readdirSync(join(jobDir, n)).includes("_metadata"))
    .map((n) => Number(n.slice(4)));
  return join(jobDir, `chk-${Math.max(...ids)}`);
}
