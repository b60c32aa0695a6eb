import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

/** Waits for the child to exit; kills it and fails if it is still running after `limitMs`. */
function exited(child: ReturnType<typeof spawn>, limitMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weir did not exit within ${limitMs} ms of the signal`));
    }, limitMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe("the weir process", () => {
  for (const [signal, expected] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`cancels a running job on ${signal}, prints 'job cancelled' and exits ${expected}`, async () => {
      const child = spawn(process.execPath, ["bin/weir.js", "run", "test/fixtures/jobs/cli-unbounded.ts", "--progress-interval", "100"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      const running = new Promise<void>((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes("Sum by key")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`weir exited with ${code} before the job ran:\n${stderr}`)));
      });
      await running;
      child.kill(signal);
      const { code } = await exited(child, 20_000);
      assert.equal(code, expected, stderr);
      assert.match(stderr, new RegExp(`job cancelled after \\S+ \\(${signal}\\)\\n$`));
    });
  }
});
