/**
 * The layout of task-local state copies (local recovery), and nothing else:
 *
 *   <root>/<jobId>/<operator>/<subtask>/<name>.state   a copy of the checkpoint storage's file <name>.state
 *
 * A copy takes the name of the storage file it copies (which is unique: see stateFileName), so a
 * state handle alone finds its copy, in this process or in a later one on the same machine.
 * `<operator>` is the operator id encoded as the checkpoint storage encodes it. The default root is
 * a directory under the system's temp directory.
 */
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { StateHandle } from "../storage/checkpoint-metadata.ts";
import { encodeNameComponent, isValidJobId, type StateFileOwner } from "../storage/checkpoint-paths.ts";
import { invalidArgument } from "../../core/errors.ts";

export const DEFAULT_LOCAL_RECOVERY_DIR_NAME = "weir-local-recovery";

/** Where local copies go when no directory is given: `<temp dir>/weir-local-recovery`. */
export function defaultLocalRecoveryRoot(): string {
  return join(tmpdir(), DEFAULT_LOCAL_RECOVERY_DIR_NAME);
}

export class LocalStatePaths {
  readonly jobDir: string;

  constructor(root: string, jobId: string) {
    if (!isValidJobId(jobId)) throw invalidArgument(`'${jobId}' is not a valid job id`);
    this.jobDir = join(resolve(root), jobId);
  }

  /** The directory of one operator subtask's copies. */
  subtaskDir(owner: StateFileOwner): string {
    return join(this.jobDir, encodeNameComponent(owner.operatorId), String(owner.subtask));
  }

  /** Where the copy of the file behind `handle`, written by `owner`, lies. */
  copyOf(owner: StateFileOwner, handle: Pick<StateHandle, "path">): string {
    return join(this.subtaskDir(owner), basename(handle.path));
  }
}
