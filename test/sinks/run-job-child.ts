/**
 * Runs a job in a child process, so a test can capture what it prints:
 * `node --import tsx run-job-child.ts <job file URL> <runtime> <parallelism> [job args...]`.
 * Prints nothing of its own to stdout; a failure goes to stderr with exit code 1.
 */
import { runJob, type RuntimeMode } from "../../src/index.ts";

const [job, runtime, parallelism, ...args] = process.argv.slice(2);
try {
  await runJob(new URL(job!), { runtime: runtime as RuntimeMode, parallelism: Number(parallelism), args });
} catch (e) {
  process.stderr.write(`job failed: ${String(e)}\n`);
  process.exitCode = 1;
}
