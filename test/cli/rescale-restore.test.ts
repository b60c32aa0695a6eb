/**
 * The exactly-once demonstration, killed with SIGKILL mid-stream and resumed from its latest
 * checkpoint at another parallelism or max parallelism: the committed output holds every
 * `k,1` … `k,n_k` exactly once, so keyed counts, source positions and pending sink transactions
 * all moved to the subtasks that took them over.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { committedFileLines } from "../../src/sinks/committing-file-sink.ts";
import { CapturedIo } from "./captured-io.ts";
import { killedRun, latestCheckpoint } from "./killed-run.ts";

const EVENTS = 30_000;
const KEYS = 40;
const JOB_ARGS = ["--events", String(EVENTS), "--keys", String(KEYS)];

/** Runs the demonstration at `parallelism` on worker threads and kills it once two checkpoints completed; returns its directory. */
function killedAt(parallelism: number): Promise<string> {
  return killedRun("examples/exactly-once.ts", ["-p", String(parallelism)], [...JOB_ARGS, "--rate", "4000"], `rescale-p${parallelism}`);
}

/** Every key's lines `k,1` … `k,n_k`, each exactly once, and nothing else. */
function assertExactlyOnce(lines: readonly string[]): void {
  const seen = new Map<string, number>();
  for (const line of lines) seen.set(line, (seen.get(line) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([l]) => l);
  assert.deepEqual(twice.slice(0, 5), [], "lines committed more than once");
  const expected: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let c = 1; c <= EVENTS / KEYS; c++) expected.push(`${k},${c}`);
  assert.deepEqual([...seen.keys()].sort(), expected.sort());
}

/** Resumes a copy of the killed run with `options`, single-threaded, and returns what it committed in all. */
async function resumed(origin: string, options: readonly string[]): Promise<{ lines: string[]; err: string }> {
  const root = mkdtempSync(join(tmpdir(), "weir-rescale-resume-"));
  try {
    cpSync(origin, root, { recursive: true });
    const io = new CapturedIo();
    const chk = latestCheckpoint(root);
    const code = await main(["run", "examples/exactly-once.ts", "--single-thread", ...options, "--checkpoint-interval", "100", "--checkpoint-dir", join(root, "chk"), "--from", chk, "--", ...JOB_ARGS, "--out", join(root, "out")], io);
    assert.equal(code, 0, io.err);
    assert.match(io.err, /restor/);
    return { lines: committedFileLines(join(root, "out")), err: io.err };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe("resuming the exactly-once demonstration at another parallelism or max parallelism", () => {
  it("2 -> 3, and 128 -> 256 and 128 -> 64 key groups, commit each k,1..k,n_k once", async () => {
    const origin = await killedAt(2);
    try {
      for (const options of [["-p", "3"], ["-p", "2", "--max-parallelism", "256"], ["-p", "3", "--max-parallelism", "64"]]) {
        const { lines } = await resumed(origin, options);
        assertExactlyOnce(lines);
      }
    } finally {
      rmSync(origin, { recursive: true, force: true });
    }
  });

  it("3 -> 1 commits each k,1..k,n_k once, the pending part files of the old subtasks included", async () => {
    const origin = await killedAt(3);
    try {
      assertExactlyOnce((await resumed(origin, ["-p", "1"])).lines);
    } finally {
      rmSync(origin, { recursive: true, force: true });
    }
  });
});
