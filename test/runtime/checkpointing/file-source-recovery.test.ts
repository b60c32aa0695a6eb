/**
 * The file-lines source in a checkpointed job, in both runtimes: a job copying several files
 * (\r\n and \n endings, multi-byte text, a byte order mark, a last line without terminator) fails
 * mid-way, restarts from its latest checkpoint, and commits every line exactly once: the readers
 * resume right after the last line they had emitted at the checkpoint.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob } from "../../../src/index.ts";
import { committedLines, RUNTIMES, tempDir, uncommittedFiles } from "./checkpointing-helpers.ts";

const LINES_JOB = new URL("../../fixtures/jobs/ck-lines.ts", import.meta.url);

/** Writes the input files and returns every line they hold. */
function writeInput(dir: string): string[] {
  mkdirSync(dir);
  const all: string[] = [];
  const files = [
    { name: "a.txt", count: 2500, newline: "\r\n", prefix: "", end: "\r\n" },
    { name: "b.txt", count: 1800, newline: "\n", prefix: "\uFEFF", end: "\n" },
    { name: "c.txt", count: 2200, newline: "\n", prefix: "", end: "" },
  ];
  for (const [f, file] of files.entries()) {
    const lines = Array.from({ length: file.count }, (_, i) => `${f}:${i} ${"é".repeat(i % 5)}${i % 7 === 0 ? "🌊" : ""}`);
    all.push(...lines);
    writeFileSync(join(dir, file.name), file.prefix + lines.join(file.newline) + file.end);
  }
  return all.sort();
}

describe("the file-lines source in a checkpointed job", () => {
  for (const runtime of RUNTIMES) {
    it(`a job that fails mid-file restarts from its checkpoint and commits every line exactly once (${runtime})`, async () => {
      const root = tempDir("ck-file-lines");
      const input = join(root, "input");
      const out = join(root, "out");
      const marker = join(root, "failed-once");
      const expected = writeInput(input);
      const result = await runJob(LINES_JOB, {
        runtime,
        parallelism: 2,
        // Small batches keep steps short, so checkpoints complete while the files are being read.
        bufferSize: 50,
        checkpointing: { intervalMs: 20, dir: join(root, "checkpoints") },
        restartStrategy: "fixed-delay:attempts=3,delay=0",
        args: ["--input", input, "--out", out, "--pause-every", "25", "--fail-line", "2:1500 ", "--fail-marker", marker],
      });
      assert.ok(existsSync(marker), "the failure was injected");
      assert.equal(result.info.restarts, 1);
      const committed = committedLines(out);
      assert.equal(committed.length, expected.length);
      assert.ok(committed.every((line, i) => line === expected[i]), "the committed lines are the input's lines, each once");
      assert.deepEqual(uncommittedFiles(out), []);
    });
  }

  it("a job that fails again right after its restart still commits every line exactly once (single-thread)", async () => {
    // The first failure may come while a checkpoint's metadata is being written: the restart must
    // take that checkpoint into account, or the second failure restores a checkpoint whose
    // pre-committed output the first restart discarded.
    const root = tempDir("ck-file-lines-twice");
    const input = join(root, "input");
    const out = join(root, "out");
    mkdirSync(input);
    const expected: string[] = [];
    for (const f of [0, 1, 2]) {
      const lines = Array.from({ length: 2000 }, (_, i) => `${f}:${i}`);
      expected.push(...lines);
      writeFileSync(join(input, `${f}.txt`), lines.join("\n"));
    }
    expected.sort();
    const result = await runJob(LINES_JOB, {
      runtime: "single-thread",
      parallelism: 2,
      bufferSize: 50,
      checkpointing: { intervalMs: 20, dir: join(root, "checkpoints") },
      restartStrategy: "fixed-delay:attempts=3,delay=0",
      args: [
        ...["--input", input, "--out", out, "--pause-every", "25"],
        ...["--fail-line", "2:1500", "--fail-marker", join(root, "first")],
        ...["--then-fail-line", "*", "--then-fail-marker", join(root, "second")],
      ],
    });
    assert.equal(result.info.restarts, 2);
    const committed = committedLines(out);
    assert.equal(committed.length, expected.length);
    assert.ok(committed.every((line, i) => line === expected[i]), "the committed lines are the input's lines, each once");
  });
});
