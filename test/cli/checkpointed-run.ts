/** Runs the checkpointed fixture job through `weir run` in-process, on one thread, with its checkpoints under `dir`. */
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "./captured-io.ts";

export const CHECKPOINTED_JOB = "test/fixtures/jobs/cli-checkpointed.ts";

/**
 * The interval is long, so the only checkpoint a run takes is the final one of its bounded input:
 * each run completes exactly one.
 */
export async function runCheckpointed(dir: string, ...extra: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  const code = await main(["run", CHECKPOINTED_JOB, "--single-thread", "-p", "1", "--checkpoint-interval", "1h", "--checkpoint-dir", dir, ...extra], io);
  return { code, io };
}
