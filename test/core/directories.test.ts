import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDirectories, makeDirectoriesSync } from "../../src/core/directories.ts";

const PROCFS = existsSync("/proc/self") ? false : "needs a procfs at /proc";

function scratch(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "weir-dirs-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

for (const [name, make] of [
  ["makeDirectoriesSync", async (dir: string) => makeDirectoriesSync(dir)],
  ["makeDirectories", makeDirectories],
] as const) {
  describe(name, () => {
    it("creates the missing parents and returns the first directory it created", async () => {
      using s = scratch();
      const deep = join(s.dir, "a", "b", "c");
      assert.equal(await make(deep), join(s.dir, "a"));
      assert.ok(statSync(deep).isDirectory());
    });

    it("returns undefined for a directory that exists", async () => {
      using s = scratch();
      assert.equal(await make(s.dir), undefined);
    });

    it("fails with ENOTDIR when a file is in the way", async () => {
      using s = scratch();
      writeFileSync(join(s.dir, "file"), "");
      await assert.rejects(make(join(s.dir, "file", "sub")), { code: "ENOTDIR" });
    });

    it("fails with ENOENT under /proc, where new directories are refused, instead of retrying forever", { skip: PROCFS }, async () => {
      await assert.rejects(make("/proc/weir-no-such-dir/out"), { code: "ENOENT" });
    });
  });
}

describe("a job whose output or checkpoint directory is under /proc", { skip: PROCFS }, () => {
  const weir = (...args: string[]) => spawnSync(process.execPath, ["bin/weir.js", "run", ...args], { encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });

  it("fails at once, naming the directory, on worker threads and on one thread", () => {
    for (const runtime of [["-p", "1"], ["--single-thread"]]) {
      const result = weir("test/fixtures/jobs/cli-bounded.ts", ...runtime, "--", "--out", "/proc/weir-out");
      assert.equal(result.signal, null, "weir did not end within 30 s");
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /ENOENT: no such file or directory, mkdir '\/proc\/weir-out'/);
    }
  });

  it("is refused before it starts when the checkpoint directory is there", () => {
    const result = weir("test/fixtures/jobs/cli-bounded.ts", "--single-thread", "--checkpoint-interval", "1s", "--checkpoint-dir", "/proc/weir-chk", "--", "--out", "/tmp/unused");
    assert.equal(result.signal, null, "weir did not end within 30 s");
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^job refused: checkpoint directory '\/proc\/weir-chk\/.*' cannot be written/);
  });
});
