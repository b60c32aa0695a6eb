/** Starts `weir run` in-process for tests of the control API, and talks to its API over real HTTP. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "../cli/captured-io.ts";

/**
 * A scratch directory for the test file, made before its tests and removed after them; the job
 * registry (WEIR_STATE_DIR) lives in it, so jobs of other test files stay apart. Returns a getter.
 */
export function scratchDirectory(prefix: string): () => string {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    process.env.WEIR_STATE_DIR = join(dir, "state");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

export interface RunningJob {
  readonly io: CapturedIo;
  /** The exit code of `weir run`, once it ends. */
  readonly exit: Promise<number>;
  readonly address: string;
  readonly jobId: string;
}

/** Runs `weir run <args>` and resolves once its API is up and its job is RUNNING. */
export async function startJob(args: readonly string[], headers: Record<string, string> = {}): Promise<RunningJob> {
  const io = new CapturedIo();
  const exit = main(["run", ...args], io);
  let ended = false;
  void exit.finally(() => (ended = true));
  await Promise.race([io.stderrIncludes("control API at "), exit]);
  const match = /control API at (http:\/\/\S+)/.exec(io.err);
  if (match === null) throw new Error(`no control API started:\n${io.err}`);
  const address = match[1]!;
  for (;;) {
    if (ended) throw new Error(`the job ended before it ran:\n${io.err}`);
    const { jobs } = (await (await fetch(`${address}/jobs`, { headers })).json()) as { jobs: { id: string; status: string }[] };
    if (jobs[0]?.status === "RUNNING") return { io, exit, address, jobId: jobs[0].id };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An answer's JSON, read by tests field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests check the shapes themselves
type Answer = any;

export async function call(address: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${address}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

/** Polls a savepoint operation until it is no longer in progress. */
export async function settled(address: string, jobId: string, triggerId: string): Promise<Answer> {
  for (;;) {
    const { body } = await call(address, "GET", `/jobs/${jobId}/savepoints/${triggerId}`);
    if (body.status.id !== "IN_PROGRESS") return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
