import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { REPEAT_AFTER_MS } from "../../src/cli/cancellation.ts";
import { STALL_MS } from "../../src/cli/stall-watchdog.ts";



/** How the child ended, whenever it does; listened for from its start, so an early exit is not missed. */
function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

/** Waits for `exit`; kills the child and fails if it is still running after `limitMs`. */
function exited(child: ReturnType<typeof spawn>, exit: ReturnType<typeof exitOf>, limitMs: number): ReturnType<typeof exitOf> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weir did not exit within ${limitMs} ms of the signal`));
    }, limitMs);
  });
  return Promise.race([exit, late]).finally(() => clearTimeout(timer));
}

describe("the weir process", () => {
  for (const [signal, expected] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`cancels a running job on ${signal}, prints 'job cancelled' and exits ${expected}`, async () => {
      const child = spawn(process.execPath, ["bin/weir.js", "run", "test/fixtures/jobs/cli-unbounded.ts", "--progress-interval", "100"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exit = exitOf(child);
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
      const { code } = await exited(child, exit, 20_000);
      assert.equal(code, expected, stderr);
      assert.match(stderr, new RegExp(`job cancelled after \\S+ \\(${signal}\\)\\n$`));
    });
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`a second ${signal} ends the process even while a worker thread is blocked in native code`, async () => {
      const child = spawn(process.execPath, ["bin/weir.js", "run", "test/fixtures/jobs/cli-blocked.ts", "-p", "1"], { stdio: ["ignore", "ignore", "pipe"] });
      const exit = exitOf(child);
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes("blocking in native code")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`weir exited with ${code} before the job blocked:\n${stderr}`)));
      });
      const cancelling = new Promise<void>((resolve) => {
        const seen = () => stderr.includes(`${signal} received: cancelling`) && resolve();
        child.stderr!.on("data", seen);
        seen();
      });
      child.kill(signal);
      await cancelling;
      // A repeat within a second of the first counts as the same signal (forwarded by a parent), so
      // wait well past it: on a loaded machine the child may handle the first one late.
      await new Promise((resolve) => setTimeout(resolve, REPEAT_AFTER_MS + 1000));
      assert.equal(child.exitCode ?? child.signalCode, null, `weir ended on the first signal, while its worker was blocked:\n${stderr}`);
      child.kill(signal);
      const ended = await exited(child, exit, 25_000);
      // Ended by the signal's default action: a shell reports 128 + its number.
      assert.deepEqual(ended, { code: null, signal }, stderr);
      assert.match(stderr, new RegExp(`${signal} again: exiting without waiting for the job to stop`));
    });
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`with --single-thread, ${signal} ends the process while a user function loops forever on the job's thread`, async () => {
      const child = spawn(process.execPath, ["bin/weir.js", "run", "test/fixtures/jobs/cli-endless-loop.ts", "--single-thread"], { stdio: ["ignore", "ignore", "pipe"] });
      const exit = exitOf(child);
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes("looping forever")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`weir exited with ${code} before the job looped:\n${stderr}`)));
      });
      // The watchdog hands the signals back once the thread has been stuck for STALL_MS.
      await new Promise((resolve) => setTimeout(resolve, STALL_MS + 1500));
      child.kill(signal);
      assert.deepEqual(await exited(child, exit, 10_000), { code: null, signal }, stderr);
    });
  }
});
