/**
 * A job is a module whose default export is `defineJob((env, args) => { ... })`. The build
 * function runs once in the process that submits the job and once per slot in the workers, so it
 * must build the same graph every time (no randomness, no clock reads that change its shape).
 */
import { WeirError } from "../core/errors.ts";
import { buildJobGraph, type JobGraph } from "../graph/job-graph.ts";
import type { StreamGraph } from "../graph/stream-graph.ts";
import { StreamExecutionEnvironment, type EnvironmentConfig } from "./environment.ts";
import { JobArgs } from "./job-args.ts";

const JOB = Symbol.for("weir.job");

export type JobBuilder = (env: StreamExecutionEnvironment, args: JobArgs) => void | Promise<void>;

export interface JobDefinition {
  readonly [JOB]: true;
  readonly build: JobBuilder;
}

export function defineJob(build: JobBuilder): JobDefinition {
  return { [JOB]: true, build };
}

export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[JOB] === true;
}

export interface BuiltJob {
  readonly env: StreamExecutionEnvironment;
  readonly graph: StreamGraph;
  readonly job: JobGraph;
}

function describeThrown(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function refuseUnknownArguments(args: JobArgs): void {
  const unknown = args.unknown();
  if (unknown.length === 0) return;
  const known = args.knownNames();
  const reads = known.length === 0 ? "it reads no named argument" : `it reads ${known.map((n) => `--${n}`).join(", ")}`;
  throw new WeirError(
    "WEIR_ERR_UNKNOWN_JOB_ARGUMENT",
    `unknown job argument${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `--${n}`).join(", ")}: ${reads}. ` +
      `(An argument that only a function reads while the job runs must be declared in the build function: args.declare("name").)`,
  );
}

/**
 * Runs the job's build function against a fresh environment and plans its job graph. Whatever the
 * build function throws becomes WEIR_ERR_JOB_BUILD (a WeirError keeps its own code); a named
 * argument it neither read nor declared refuses the job (WEIR_ERR_UNKNOWN_JOB_ARGUMENT).
 */
export async function buildJob(definition: JobDefinition, config: Partial<EnvironmentConfig>, args: readonly string[]): Promise<BuiltJob> {
  const jobArgs = new JobArgs(args);
  const env = new StreamExecutionEnvironment(config, jobArgs);
  try {
    await definition.build(env, jobArgs);
  } catch (e) {
    throw e instanceof WeirError ? e : new WeirError("WEIR_ERR_JOB_BUILD", `the job's build function threw: ${describeThrown(e)}`, { cause: e });
  }
  refuseUnknownArguments(jobArgs);
  const graph = env.buildGraph();
  return { env, graph, job: buildJobGraph(graph) };
}
