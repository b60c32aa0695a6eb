/** A SinkContext for driving writers directly in tests. */
import { JobArgs } from "../../src/api/job-args.ts";
import type { SinkContext } from "../../src/sinks/sink.ts";

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
  };
}
