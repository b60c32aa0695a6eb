/** A SinkContext for driving writers directly in tests. */
import { RecordTimestamp } from "../../src/runtime/record-timestamp.ts";
import { JobArgs } from "../../src/api/job-args.ts";
import { systemClock } from "../../src/core/clock.ts";
import { SinkOperator } from "../../src/runtime/operators/sink.ts";
import { StreamingRuntimeContext } from "../../src/runtime/runtime-context.ts";
import { SideOutputs } from "../../src/runtime/side-outputs.ts";
import type { Sink, SinkContext } from "../../src/sinks/sink.ts";

export function sinkContext(overrides: Partial<SinkContext> = {}): SinkContext {
  return {
    subtaskIndex: 0,
    parallelism: 1,
    args: new JobArgs(),
    operatorId: "sink",
    client: { send: () => {} },
    checkpointing: true,
    restoredState: undefined,
    restoredCheckpointId: undefined,
    ...overrides,
    restoredStates: overrides.restoredStates ?? (overrides.restoredState === undefined ? [] : [overrides.restoredState]),
  };
}

/**
 * A sink's writer behind the runtime's own sink operator, opened as a task opens it: checkpoint
 * notifications then take the path they take in a running job.
 */
export async function sinkOperator<T>(sink: Sink<T>, overrides: Partial<SinkContext> = {}): Promise<SinkOperator<T>> {
  const c = sinkContext(overrides);
  const operator = new SinkOperator(sink);
  await operator.open({
    runtime: new StreamingRuntimeContext("sink", c.subtaskIndex, c.parallelism, 128, c.args, undefined),
    keyed: undefined,
    clock: systemClock,
    client: c.client,
    operatorId: c.operatorId,
    checkpointing: c.checkpointing,
    checkpointIntervalMs: c.checkpointIntervalMs,
    recordTimestamp: new RecordTimestamp(),
    restored: c.restoredCheckpointId === undefined ? undefined : { checkpointId: c.restoredCheckpointId, state: c.restoredState, states: c.restoredStates },
    sideOutputs: new SideOutputs("sink", new Map()),
    requestStep: () => {},
  });
  return operator;
}
