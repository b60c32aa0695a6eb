/**
 * How the control commands (`weir savepoint`, `weir stop`, `weir cancel`, `weir list`) reach a
 * running job: its entry in the job registry gives the address of its control API, and requests
 * carry the token in WEIR_REST_TOKEN when it is set. A job that is not registered, does not
 * answer or refuses the request is WEIR_ERR_JOB_NOT_RUNNING; a savepoint refused (409) or failed
 * is WEIR_ERR_SAVEPOINT_FAILED.
 */
import { WeirError } from "../core/errors.ts";
import { findJob, listRegisteredJobs, registryDir, type RegisteredJob } from "../rest/job-registry.ts";
import { REST_TOKEN_ENV } from "./rest-options.ts";

/** How often a savepoint's status is asked while it is in progress. */
const POLL_INTERVAL_MS = 100;

export async function findRunningJob(id: string): Promise<RegisteredJob> {
  const outcome = findJob(await listRegisteredJobs(registryDir()), id);
  if ("problem" in outcome) throw new WeirError("WEIR_ERR_JOB_NOT_RUNNING", outcome.problem);
  return outcome.found;
}

/** Sends one request to `job`'s control API and returns the JSON it answered. */
export async function callJob(job: RegisteredJob, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = process.env[REST_TOKEN_ENV];
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined && token !== "") headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${job.address}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new WeirError("WEIR_ERR_JOB_NOT_RUNNING", `job ${job.jobId} does not answer at ${job.address} (${cause}): it may have just ended`);
  }
  const answer = (await response.json().catch(() => ({}))) as { errors?: unknown };
  if (response.ok) return answer;
  const message = Array.isArray(answer.errors) ? answer.errors.join("; ") : `HTTP ${response.status}`;
  if (response.status === 409) throw new WeirError("WEIR_ERR_SAVEPOINT_FAILED", `job ${job.jobId} refused the savepoint: ${message}`);
  const hint = response.status === 401 ? ` (set ${REST_TOKEN_ENV} to the job's token)` : "";
  throw new WeirError("WEIR_ERR_JOB_NOT_RUNNING", `job ${job.jobId} refused ${method} ${path}: ${message}${hint}`);
}

interface SavepointStatusBody {
  readonly status: { readonly id: string };
  readonly operation?: { readonly location?: string; readonly "failure-cause"?: { readonly "stack-trace"?: string } };
}

/** Waits for savepoint operation `triggerId` of `job` to settle; resolves to the savepoint's directory. */
export async function awaitSavepoint(job: RegisteredJob, triggerId: string): Promise<string> {
  for (;;) {
    const answer = (await callJob(job, "GET", `/jobs/${encodeURIComponent(job.jobId)}/savepoints/${encodeURIComponent(triggerId)}`)) as SavepointStatusBody;
    if (answer.status.id === "COMPLETED") {
      const location = answer.operation?.location;
      if (location !== undefined) return location;
      const cause = answer.operation?.["failure-cause"]?.["stack-trace"] ?? "no cause given";
      throw new WeirError("WEIR_ERR_SAVEPOINT_FAILED", `the savepoint of job ${job.jobId} failed: ${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
