/**
 * Where running jobs say where their control API is, so that `weir list`, `weir savepoint`,
 * `weir stop` and `weir cancel` find them: one file `<job id>.json` per job in
 * `$WEIR_STATE_DIR/jobs` (default `$XDG_STATE_HOME/weir/jobs`, else `~/.local/state/weir/jobs`),
 * holding the job id, its name, the API's address and the process id. A job writes its file when
 * its API is up and removes it when it ends; a file whose process is gone (a job killed with
 * `kill -9`) is ignored, and removed when the registry is listed. Tokens are never written here.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { makeDirectories } from "../core/directories.ts";

export interface RegisteredJob {
  readonly jobId: string;
  readonly name: string;
  /** `http://<host>:<port>` of the job's control API. */
  readonly address: string;
  readonly pid: number;
  /** Milliseconds since the epoch. */
  readonly startTime: number;
}

/** The registry directory the environment names (see the module header). */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEIR_STATE_DIR !== undefined && env.WEIR_STATE_DIR !== "") return join(env.WEIR_STATE_DIR, "jobs");
  const state = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== "" ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(state, "weir", "jobs");
}

/** Whether process `pid` is alive: signal 0 checks without sending anything (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const fileOf = (dir: string, jobId: string) => join(dir, `${jobId}.json`);

function isRegisteredJob(value: unknown): value is RegisteredJob {
  const v = value as Partial<RegisteredJob> | null;
  return (
    typeof v === "object" && v !== null && typeof v.jobId === "string" && typeof v.name === "string" && typeof v.address === "string" &&
    Number.isSafeInteger(v.pid) && typeof v.startTime === "number"
  );
}

/** Writes `job`'s entry (whole or not at all: a temp file renamed); resolves to what removes it. */
export async function registerJob(dir: string, job: RegisteredJob): Promise<() => Promise<void>> {
  await makeDirectories(dir);
  const path = fileOf(dir, job.jobId);
  const temp = join(dir, `.${job.jobId}.${randomBytes(4).toString("hex")}.tmp`);
  await writeFile(temp, JSON.stringify(job), { mode: 0o600 });
  await rename(temp, path);
  return () => rm(path, { force: true });
}

/** The jobs registered in `dir` whose process is alive, oldest first; entries of dead processes are removed. */
export async function listRegisteredJobs(dir: string, alive: (pid: number) => boolean = processAlive): Promise<RegisteredJob[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const jobs: RegisteredJob[] = [];
  for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
    const path = join(dir, name);
    let entry: unknown;
    try {
      entry = JSON.parse(await readFile(path, "utf8"));
    } catch {
      continue;
    }
    if (!isRegisteredJob(entry)) continue;
    if (alive(entry.pid)) jobs.push(entry);
    else await rm(path, { force: true }).catch(() => undefined);
  }
  return jobs.sort((a, b) => a.startTime - b.startTime || (a.jobId < b.jobId ? -1 : 1));
}

/** The running job whose id is `id` or starts with it; undefined when none, or several, match. */
export function findJob(jobs: readonly RegisteredJob[], id: string): { readonly found: RegisteredJob } | { readonly problem: string } {
  const exact = jobs.find((j) => j.jobId === id);
  if (exact !== undefined) return { found: exact };
  const matches = jobs.filter((j) => j.jobId.startsWith(id));
  if (matches.length === 1) return { found: matches[0]! };
  if (matches.length === 0) return { problem: `no running job '${id}'${jobs.length === 0 ? ": no job is running" : "; 'weir list' shows the running jobs"}` };
  return { problem: `'${id}' is the start of ${matches.length} running jobs' ids (${matches.map((j) => j.jobId).join(", ")}): give more of it` };
}
