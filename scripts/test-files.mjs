// Runs test files each in a node:test process of its own, a few at a time, with two bounds: a
// file that has not exited `fileTimeoutMs` after it started (a hung statement, an open handle)
// is killed with its process group and reported by name as stalled; when the whole lane passes
// `laneTimeoutMs`, the running files are killed and reported the same way and the rest are not
// started. A file's output is printed in one piece when it ends, so that files running side by
// side do not interleave.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";

/**
 * @param {readonly string[]} files
 * @param {{ nodeArgs: readonly string[], concurrency: number, fileTimeoutMs: number, laneTimeoutMs: number,
 *           env?: NodeJS.ProcessEnv, write?: (text: string) => void, now?: () => number }} options
 * @returns {Promise<{ passed: string[], failed: string[], stalled: string[], notRun: string[] }>}
 */
export async function runTestFiles(files, options) {
  const write = options.write ?? ((text) => process.stdout.write(text));
  const now = options.now ?? Date.now;
  const laneDeadline = now() + options.laneTimeoutMs;
  const result = { passed: [], failed: [], stalled: [], notRun: [] };
  const queue = [...files];
  /** @type {Set<{ kill: (why: string) => void }>} */
  const running = new Set();
  let laneExpired = false;
  // A runner inside a test (this module's own tests) must not make the files it starts think they are its subtests.
  const env = { ...(options.env ?? process.env) };
  delete env.NODE_TEST_CONTEXT;

  const laneTimer = setTimeout(() => {
    laneExpired = true;
    result.notRun.push(...queue.splice(0));
    for (const file of running) file.kill(`the lane's limit of ${seconds(options.laneTimeoutMs)} passed`);
  }, Math.max(0, laneDeadline - now()));

  function runOne(file) {
    return new Promise((done) => {
      const child = spawn(process.execPath, [...options.nodeArgs, "--test", file], {
        stdio: ["ignore", "pipe", "pipe"],
        env,
        // Its own process group, so that a kill reaches the job processes a test started too.
        detached: true,
      });
      const chunks = [];
      child.stdout.on("data", (c) => chunks.push(c));
      child.stderr.on("data", (c) => chunks.push(c));
      let stalledBecause;
      const entry = {
        kill(why) {
          stalledBecause ??= why;
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // It exited meanwhile.
          }
        },
      };
      running.add(entry);
      const fileTimer = setTimeout(() => entry.kill(`still running ${seconds(options.fileTimeoutMs)} after it started`), options.fileTimeoutMs);
      child.on("close", (code, signal) => {
        clearTimeout(fileTimer);
        running.delete(entry);
        // Whatever the file's processes left running (Node's runner does not wait for a test process
        // that an open handle keeps alive; a job a test started) goes with it.
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is empty.
        }
        write(Buffer.concat(chunks).toString());
        if (stalledBecause !== undefined) {
          write(`\n# STALLED: ${file}: ${stalledBecause}; killed it (an unanswered statement, a test without a timeout, or a handle left open keeps a file from exiting)\n`);
          result.stalled.push(file);
        } else if (code === 0) result.passed.push(file);
        else {
          write(`\n# FAILED: ${file} (exit ${code ?? signal})\n`);
          result.failed.push(file);
        }
        done();
      });
    });
  }

  // Interrupted (Ctrl-C, a CI timeout): take the running files' process groups along.
  const interrupt = (signal) => {
    for (const file of running) file.kill(`the lane was interrupted (${signal})`);
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);

  async function worker() {
    while (!laneExpired && queue.length > 0) await runOne(queue.shift());
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  clearTimeout(laneTimer);
  process.removeListener("SIGINT", interrupt);
  process.removeListener("SIGTERM", interrupt);
  return result;
}

function seconds(ms) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The lane's closing lines: counts, and every file that did not pass by name. */
export function describeResult(result) {
  const lines = [`# files: ${result.passed.length} passed, ${result.failed.length} failed, ${result.stalled.length} stalled, ${result.notRun.length} not run`];
  for (const file of result.failed) lines.push(`#   failed:  ${file}`);
  for (const file of result.stalled) lines.push(`#   stalled: ${file}`);
  for (const file of result.notRun) lines.push(`#   not run: ${file}`);
  return lines.join("\n") + "\n";
}
