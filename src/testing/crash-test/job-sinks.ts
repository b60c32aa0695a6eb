/** The sinks of a job and what each committed, read back through the sink's CommittedOutput. */
import { buildJob, type JobDefinition } from "../../api/define-job.ts";
import type { EnvironmentConfig } from "../../api/environment.ts";
import { operatorIdOf } from "../../graph/job-graph.ts";
import { displayName } from "../../graph/stream-graph.ts";
import { SinkOperator } from "../../runtime/operators/sink.ts";
import type { CommittedOutput } from "../../sinks/sink.ts";

export interface JobSink {
  /** The sink's operator id (its uid, or a derived name). */
  readonly id: string;
  readonly name: string;
  /** Undefined: the sink gives no guarantee (print, writeAsText, a custom sink without read-back). */
  readonly committed: CommittedOutput | undefined;
}

/** The job's sinks, built with `args` (so that they point where that run wrote). */
export async function jobSinks(definition: JobDefinition, config: Partial<EnvironmentConfig>, args: readonly string[]): Promise<JobSink[]> {
  const built = await buildJob(definition, config, args);
  const sinks: JobSink[] = [];
  for (const node of built.graph.nodes) {
    if (node.kind !== "operator" || !node.isSink) continue;
    const operator = node.factory();
    const committed = operator instanceof SinkOperator ? operator.sink.committed : undefined;
    sinks.push({ id: operatorIdOf(node), name: displayName(node), committed });
  }
  return sinks;
}

/** What each sink committed, by sink id; undefined for sinks whose output cannot be read here. */
export async function readCommitted(sinks: readonly JobSink[], collected: (sinkId: string) => readonly unknown[] | undefined): Promise<Map<string, readonly unknown[] | undefined>> {
  const out = new Map<string, readonly unknown[] | undefined>();
  for (const sink of sinks) {
    if (sink.committed !== undefined) out.set(sink.id, await sink.committed.read({ operatorId: sink.id, collected }));
  }
  return out;
}
