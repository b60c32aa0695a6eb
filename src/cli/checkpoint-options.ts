/**
 * The options of `weir run` that override a job's checkpointing, restart strategy and restore
 * point, and the RunOptions they become. An option left out keeps the job's own setting; any
 * checkpoint option other than the interval needs checkpointing enabled, by the job or by
 * `--checkpoint-interval` (the job refuses to start otherwise).
 */
import { DEFAULT_MEMORY_THRESHOLD, type CheckpointingOptions } from "../api/checkpointing-settings.ts";
import { CHECKPOINT_CONFIG_DEFAULTS } from "../checkpoint/coordinator/config.ts";
import { DEFAULT_CHECKPOINT_ROOT } from "../checkpoint/storage/checkpoint-paths.ts";
import { DEFAULT_LOCAL_RECOVERY_DIR_NAME } from "../checkpoint/local/local-state-paths.ts";
import { formatDuration } from "../recovery/duration.ts";
import { parseRestartStrategy } from "../recovery/parse-restart-strategy.ts";
import type { RestartStrategyConfig } from "../recovery/restart-config.ts";
import type { RunOptions } from "../runtime/run-options.ts";
import type { CheckpointMode } from "../runtime/task-checkpointing.ts";
import { bytesIn, durationIn, integerIn, nonEmpty, oneOf, type OptionSpec, type ValueParse } from "./args.ts";

function restartStrategy(text: string): ValueParse<RestartStrategyConfig> {
  try {
    return { ok: true, value: parseRestartStrategy(text) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

function countOrUnlimited(text: string): ValueParse<number> {
  if (text === "unlimited") return { ok: true, value: Number.POSITIVE_INFINITY };
  const parsed = integerIn(0)(text);
  return parsed.ok ? parsed : { ok: false, reason: "must be a non-negative integer or 'unlimited'" };
}

const GROUP = "Checkpoint and restart options";

/** Defaults as help states them: each option overrides what the job set in code. */
const jobsOr = (fallback: string) => `the job's setting, else ${fallback}`;

export const CHECKPOINT_OPTIONS: readonly OptionSpec[] = [
  {
    kind: "value",
    group: GROUP,
    name: "checkpoint-interval",
    placeholder: "duration",
    parse: durationIn(1),
    description: "take a checkpoint this often, which enables checkpointing; milliseconds, or a duration such as 500ms, 2s or 1m (e.g. --checkpoint-interval 2s)",
    defaultText: jobsOr("no checkpoints"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "checkpoint-mode",
    placeholder: "mode",
    parse: oneOf<CheckpointMode>(["exactly-once", "at-least-once"]),
    description: "exactly-once aligns barriers so that state reflects each record once; at-least-once does not wait, and a restore may replay records (e.g. --checkpoint-mode at-least-once)",
    defaultText: jobsOr("exactly-once"),
  },
  {
    kind: "flag",
    group: GROUP,
    name: "unaligned",
    description:
      "exactly-once checkpoints whose barriers overtake the records queued between tasks, which are stored with the checkpoint, " +
      "so checkpoints complete under back-pressure; savepoints stay aligned (e.g. --unaligned --checkpoint-mode exactly-once)",
    defaultText: jobsOr("aligned"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "aligned-checkpoint-timeout",
    placeholder: "duration",
    parse: durationIn(0),
    description: "with --unaligned: start each checkpoint aligned and switch to unaligned when alignment takes longer than this (e.g. --aligned-checkpoint-timeout 100ms)",
    defaultText: jobsOr("0, unaligned at once"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "checkpoint-timeout",
    placeholder: "duration",
    parse: durationIn(1),
    description: "a checkpoint not complete this long after it started fails (e.g. --checkpoint-timeout 30s)",
    defaultText: jobsOr(formatDuration(CHECKPOINT_CONFIG_DEFAULTS.timeoutMs)),
  },
  {
    kind: "value",
    group: GROUP,
    name: "min-pause",
    placeholder: "duration",
    parse: durationIn(0),
    description: "least time from the end of one checkpoint to the start of the next (e.g. --min-pause 500ms)",
    defaultText: jobsOr(String(CHECKPOINT_CONFIG_DEFAULTS.minPauseMs)),
  },
  {
    kind: "value",
    group: GROUP,
    name: "max-concurrent-checkpoints",
    placeholder: "n",
    parse: integerIn(1),
    description: "most checkpoints in progress at once (e.g. --max-concurrent-checkpoints 2)",
    defaultText: jobsOr(String(CHECKPOINT_CONFIG_DEFAULTS.maxConcurrent)),
  },
  {
    kind: "value",
    group: GROUP,
    name: "tolerable-checkpoint-failures",
    placeholder: "n",
    parse: countOrUnlimited,
    description: "checkpoints that may fail in a row before the job fails and its restart strategy decides; 'unlimited' for no limit (e.g. --tolerable-checkpoint-failures 3)",
    defaultText: jobsOr(String(CHECKPOINT_CONFIG_DEFAULTS.tolerableFailures)),
  },
  {
    kind: "value",
    group: GROUP,
    name: "retained-checkpoints",
    placeholder: "n",
    parse: integerIn(1),
    description: "completed checkpoints kept on disk; older ones are deleted (e.g. --retained-checkpoints 3)",
    defaultText: jobsOr(String(CHECKPOINT_CONFIG_DEFAULTS.retained)),
  },
  {
    kind: "value",
    group: GROUP,
    name: "on-cancel",
    placeholder: "delete|retain",
    parse: oneOf(["delete", "retain"]),
    description: "what happens to the job's checkpoints when it is cancelled (Ctrl-C): retain keeps them to resume from (e.g. --on-cancel retain)",
    defaultText: jobsOr("delete"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "checkpoint-dir",
    placeholder: "dir",
    parse: nonEmpty("a directory path"),
    description: "where checkpoints are written, as <dir>/<job id>/chk-<n>/, and where --from latest looks (e.g. --checkpoint-dir /var/lib/weir)",
    defaultText: jobsOr(DEFAULT_CHECKPOINT_ROOT),
  },
  {
    kind: "flag",
    group: GROUP,
    name: "local-recovery",
    description:
      "each task also keeps a local copy of the state files it wrote for its last completed checkpoint; a restart on this machine " +
      "restores from the copies and reads the checkpoint storage only for a copy that is missing or corrupt, as Flink's " +
      "state.backend.local-recovery does (e.g. --local-recovery --checkpoint-interval 1s)",
    defaultText: jobsOr("off"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "local-recovery-dir",
    placeholder: "dir",
    parse: nonEmpty("a directory path"),
    description: "with --local-recovery: where the local copies go, as <dir>/<job id>/<operator>/<subtask>/ (e.g. --local-recovery-dir /mnt/ssd/weir)",
    defaultText: jobsOr(`<temp dir>/${DEFAULT_LOCAL_RECOVERY_DIR_NAME}`),
  },
  {
    kind: "value",
    group: GROUP,
    name: "memory-threshold",
    placeholder: "size",
    parse: bytesIn(),
    description:
      "a task's state smaller than this is sent with its acknowledgement and kept inside the checkpoint's _metadata instead of a file " +
      "of its own, as Flink's state.storage.fs.memory-threshold does; 0 writes every state as a file; at most 1mb (e.g. --memory-threshold 64kb)",
    defaultText: jobsOr(`${DEFAULT_MEMORY_THRESHOLD / 1024}kb`),
  },
  {
    kind: "value",
    group: GROUP,
    name: "restart-strategy",
    placeholder: "spec",
    parse: restartStrategy,
    description:
      "what happens when a task fails: none, fixed-delay:attempts=3,delay=1s, exponential-delay:initial=1s,max=1m,attempts=10 " +
      "or failure-rate:max=3,interval=1m,delay=1s; a restart resumes from the latest checkpoint (e.g. --restart-strategy fixed-delay:attempts=3,delay=1s)",
    defaultText: jobsOr("exponential-delay with checkpoints, none without"),
  },
  {
    kind: "value",
    group: GROUP,
    name: "from",
    placeholder: "latest|path",
    parse: nonEmpty("'latest' or the path of a checkpoint"),
    description:
      "resume from a checkpoint: latest (the newest complete checkpoint of this job under the checkpoint dir) or the path of a " +
      "chk-<n> directory, as 'weir checkpoints' lists them, or of a savepoint directory, as 'weir savepoint' and 'weir stop' print them; " +
      "the path may come from an earlier version of the job or other parallelisms, and the restore is checked first as " +
      "'weir savepoint check' does; the job is refused if there is none (e.g. --from latest)",
    defaultText: "start from scratch",
  },
  {
    kind: "flag",
    group: GROUP,
    name: "allow-non-restored-state",
    description:
      "with --from: restore even though the checkpoint holds state of operators the job no longer has; that state is left out " +
      "(e.g. --allow-non-restored-state --from /tmp/chk/<job id>/chk-12)",
    defaultText: "refuse such a restore",
  },
  {
    kind: "value",
    group: GROUP,
    name: "map-uid",
    placeholder: "old=new[,old=new]",
    parse: uidMapping,
    description: "with --from: restore the state of the checkpoint's operator <old> into the job's operator with uid <new>, for a renamed uid (e.g. --map-uid counter=count-per-key)",
  },
  {
    kind: "flag",
    group: GROUP,
    name: "fresh",
    description:
      "start from scratch even though the checkpoint dir holds a completed checkpoint of this job; without it such a start is refused, " +
      "since it would commit the earlier run's output again; resume that run with --from latest instead (e.g. --fresh --checkpoint-interval 1s)",
    defaultText: "refuse",
  },
];

/** `old=new` pairs, comma-separated, into an object; an id may be renamed once. */
function uidMapping(text: string): ValueParse<{ [old: string]: string }> {
  const mapping: { [old: string]: string } = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    const [from, to] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    if (from === "" || to === "") return { ok: false, reason: "must be <old uid>=<new uid> pairs separated by commas" };
    if (Object.hasOwn(mapping, from)) return { ok: false, reason: `renames '${from}' twice` };
    mapping[from] = to;
  }
  return { ok: true, value: mapping };
}

type CheckpointOverrides = CheckpointingOptions & { intervalMs?: number };

/** The RunOptions that the checkpoint options among `options` (parsed by CHECKPOINT_OPTIONS) stand for. */
export function checkpointRunOptions(
  options: ReadonlyMap<string, unknown>,
): Pick<RunOptions, "checkpointing" | "restartStrategy" | "from" | "fresh" | "allowNonRestoredState" | "mapUids"> {
  const get = <T>(name: string) => options.get(name) as T | undefined;
  const overrides: CheckpointOverrides = {
    intervalMs: get<number>("checkpoint-interval"),
    mode: get<CheckpointMode>("checkpoint-mode"),
    timeoutMs: get<number>("checkpoint-timeout"),
    minPauseMs: get<number>("min-pause"),
    maxConcurrent: get<number>("max-concurrent-checkpoints"),
    tolerableFailures: get<number>("tolerable-checkpoint-failures"),
    retained: get<number>("retained-checkpoints"),
    onCancel: get<"delete" | "retain">("on-cancel"),
    dir: get<string>("checkpoint-dir"),
    localRecovery: get<boolean>("local-recovery") === true ? true : undefined,
    localRecoveryDir: get<string>("local-recovery-dir"),
    unaligned: get<boolean>("unaligned") === true ? true : undefined,
    alignedCheckpointTimeoutMs: get<number>("aligned-checkpoint-timeout"),
    memoryThreshold: get<number>("memory-threshold"),
  };
  const given = Object.values(overrides).some((v) => v !== undefined);
  return {
    checkpointing: given ? overrides : undefined,
    restartStrategy: get<RestartStrategyConfig>("restart-strategy"),
    from: get<string>("from"),
    ...(get<boolean>("fresh") === true ? { fresh: true } : {}),
    ...(get<boolean>("allow-non-restored-state") === true ? { allowNonRestoredState: true } : {}),
    ...(options.has("map-uid") ? { mapUids: get<{ [old: string]: string }>("map-uid") } : {}),
  };
}
