/** Runs a bounded job with checkpointing, in-process on one thread: its final checkpoint holds the state it ended with. */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "../cli/captured-io.ts";

/** The `chk-<n>` directory of a run of `job` at `parallelism` (default 2) with its checkpoints under `dir`/chk; `runOptions` go to `weir run`. */
export async function finalCheckpoint(dir: string, job: string, jobArgs: readonly string[] = [], parallelism = 2, runOptions: readonly string[] = []): Promise<string> {
  const io = new CapturedIo();
  const code = await main(
    ["run", job, "--single-thread", "-p", String(parallelism), "--checkpoint-interval", "1h", "--checkpoint-dir", join(dir, "chk"), "--quiet", ...runOptions, "--", ...jobArgs],
    io,
  );
  assert.equal(code, 0, io.err);
  const jobDir = join(dir, "chk", readdirSync(join(dir, "chk"))[0]!);
  return join(jobDir, readdirSync(jobDir).find((n) => n.startsWith("chk-"))!);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
