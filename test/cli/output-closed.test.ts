import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The weir process when the reader of its standard output goes away, as in `weir run job.ts | head -1`,
 * and when the job's output is sparse. Time limits only stop a hung process; no test measures time.
 */

const PRINTING = "test/fixtures/jobs/cli-printing.ts";
const LIMIT_MS = 90_000;

function weir(...args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ["bin/weir.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weir did not exit within ${LIMIT_MS} ms`));
    }, LIMIT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Resolves with what standard output carried once it includes `text`. */
function stdoutIncludes(child: ChildProcess, text: string): Promise<string> {
  let stdout = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(text)) resolve(stdout);
    });
    child.on("exit", (code) => reject(new Error(`weir exited with ${code} before printing '${text}'`)));
  });
}

describe("weir run when its standard output is closed by the reader", () => {
  for (const runtime of [[], ["--single-thread"]]) {
    it(`stops the job quietly, without reporting a failure, and exits 141 (${runtime.length === 0 ? "threads" : "single thread"})`, { timeout: LIMIT_MS * 2 }, async () => {
      const { child, stderr } = weir("run", PRINTING, "-p", "1", ...runtime);
      const exit = exited(child);
      await stdoutIncludes(child, "line 0\n");
      child.stdout!.destroy();
      assert.equal(await exit, 141, stderr());
      assert.doesNotMatch(stderr(), /job failed|EPIPE|WEIR_ERR/);
      assert.match(stderr(), /\njob stopped after \S+: its standard output was closed by the reader\n$/);
    });
  }

  it("prints nothing about it with --quiet", { timeout: LIMIT_MS * 2 }, async () => {
    const { child, stderr } = weir("run", PRINTING, "-p", "2", "--quiet");
    const exit = exited(child);
    await stdoutIncludes(child, "> line ");
    child.stdout!.destroy();
    assert.equal(await exit, 141, stderr());
    assert.equal(stderr(), "");
  });
});

describe("weir commands whose output is closed before they write it", () => {
  it("weir checkpoints exits 0 without an error", { timeout: LIMIT_MS * 2 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-cli-epipe-"));
    try {
      const { child, stderr } = weir("checkpoints", dir);
      child.stdout!.destroy();
      assert.equal(await exited(child), 0, stderr());
      assert.equal(stderr(), "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the print sink under weir run", () => {
  for (const runtime of [[], ["--single-thread"]]) {
    it(`hands a reader that falls behind every line, in order (${runtime.length === 0 ? "threads" : "single thread"})`, { timeout: LIMIT_MS * 2 }, async () => {
      const count = 100_000;
      const { child, stderr } = weir("run", PRINTING, "-p", "1", ...runtime, "--", "--count", String(count));
      const exit = exited(child);
      child.stdout!.pause();
      await new Promise<void>((resolve) => child.stderr!.on("data", () => stderr().includes("job started") && resolve()));
      let stdout = "";
      child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stdout!.resume();
      assert.equal(await exit, 0, stderr());
      const lines = stdout.split("\n");
      assert.equal(lines.length, count + 1);
      assert.ok(lines.every((line, i) => line === (i === count ? "" : `line ${i}`)));
    });
  }

  it("writes sparse lines out while the job runs, not only when it ends", { timeout: LIMIT_MS * 2 }, async () => {
    const { child, stderr } = weir("run", PRINTING, "-p", "1", "--quiet", "--", "--rate", "5");
    const exit = exited(child);
    const printed = await stdoutIncludes(child, "line 1\n");
    assert.ok(printed.startsWith("line 0\nline 1\n"), printed);
    child.kill("SIGINT");
    assert.equal(await exit, 130, stderr());
  });
});
