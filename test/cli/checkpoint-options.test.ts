import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "../../src/cli/args.ts";
import { checkpointRunOptions } from "../../src/cli/checkpoint-options.ts";
import { main } from "../../src/cli/main.ts";
import { runCommand } from "../../src/cli/run-command.ts";
import { CapturedIo } from "./captured-io.ts";

function runOptions(...argv: string[]) {
  const parsed = parseArgs(["job.ts", ...argv], runCommand.options);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.problem);
  return checkpointRunOptions(parsed.args.options);
}

async function refused(...argv: string[]): Promise<string> {
  const io = new CapturedIo();
  const code = await main(["run", "test/fixtures/jobs/cli-checkpointed.ts", ...argv], io);
  assert.equal(code, 2, `${argv.join(" ")}: ${io.err}`);
  assert.match(io.err, /\nRun 'weir run --help' for usage\.\n$/);
  assert.doesNotMatch(io.err, /job started/);
  return io.err;
}

describe("the checkpoint options of weir run", () => {
  it("override nothing when none is given", () => {
    assert.deepEqual(runOptions(), { checkpointing: undefined, restartStrategy: undefined, from: undefined });
  });

  it("--fresh asks to start from scratch, and leaves checkpointing to the job", () => {
    assert.deepEqual(runOptions("--fresh"), { checkpointing: undefined, restartStrategy: undefined, from: undefined, fresh: true });
  });

  it("--checkpoint-interval takes milliseconds or a duration, and enables checkpointing", () => {
    assert.equal(runOptions("--checkpoint-interval", "250").checkpointing?.intervalMs, 250);
    assert.equal(runOptions("--checkpoint-interval", "2s").checkpointing?.intervalMs, 2000);
    assert.equal(runOptions("--checkpoint-interval=1.5m").checkpointing?.intervalMs, 90_000);
  });

  it("each other checkpoint option sets its field and leaves the others to the job", () => {
    const cases: [string[], Record<string, unknown>][] = [
      [["--checkpoint-mode", "at-least-once"], { mode: "at-least-once" }],
      [["--checkpoint-mode", "exactly-once"], { mode: "exactly-once" }],
      [["--checkpoint-timeout", "30s"], { timeoutMs: 30_000 }],
      [["--checkpoint-timeout", "1500"], { timeoutMs: 1500 }],
      [["--min-pause", "500ms"], { minPauseMs: 500 }],
      [["--min-pause", "0"], { minPauseMs: 0 }],
      [["--max-concurrent-checkpoints", "2"], { maxConcurrent: 2 }],
      [["--tolerable-checkpoint-failures", "3"], { tolerableFailures: 3 }],
      [["--tolerable-checkpoint-failures", "unlimited"], { tolerableFailures: Number.POSITIVE_INFINITY }],
      [["--retained-checkpoints", "5"], { retained: 5 }],
      [["--on-cancel", "retain"], { onCancel: "retain" }],
      [["--on-cancel", "delete"], { onCancel: "delete" }],
      [["--checkpoint-dir", "/tmp/chk"], { dir: "/tmp/chk" }],
    ];
    for (const [argv, expected] of cases) {
      const set = Object.fromEntries(Object.entries(runOptions(...argv).checkpointing ?? {}).filter(([, v]) => v !== undefined));
      assert.deepEqual(set, expected, argv.join(" "));
    }
  });

  it("--restart-strategy is parsed into its configuration, defaults filled in", () => {
    assert.deepEqual(runOptions("--restart-strategy", "fixed-delay:attempts=3,delay=1s").restartStrategy, { kind: "fixed-delay", attempts: 3, delayMs: 1000 });
    assert.deepEqual(runOptions("--restart-strategy", "none").restartStrategy, { kind: "none" });
    assert.deepEqual(runOptions("--restart-strategy", "exponential-delay:initial=1s,max=1m,attempts=10").restartStrategy, {
      kind: "exponential-delay",
      initialBackoffMs: 1000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 1.5,
      jitterFactor: 0.1,
      resetBackoffThresholdMs: 3_600_000,
      maxAttempts: 10,
    });
  });

  it("--from takes latest or a path, as given", () => {
    assert.equal(runOptions("--from", "latest").from, "latest");
    assert.equal(runOptions("--from", ".weir/checkpoints/job-1/chk-3").from, ".weir/checkpoints/job-1/chk-3");
  });

  it("refuse bad values with exit code 2, naming the option and what it must be", async () => {
    const cases: [string[], RegExp][] = [
      [["--checkpoint-interval", "0"], /option --checkpoint-interval must be a positive number of milliseconds or a duration like 500ms, 2s or 1m, got '0'/],
      [["--checkpoint-interval", "soon"], /option --checkpoint-interval must be a positive number .*, got 'soon'/],
      [["--checkpoint-interval"], /option --checkpoint-interval needs a value: --checkpoint-interval <duration>/],
      [["--checkpoint-mode", "once"], /option --checkpoint-mode must be 'exactly-once' or 'at-least-once', got 'once'/],
      [["--checkpoint-timeout", "-1s"], /option --checkpoint-timeout must be a positive number .*, got '-1s'/],
      [["--min-pause", "1.5ms"], /option --min-pause must be a number of milliseconds or a duration like 500ms, 2s or 1m, got '1.5ms'/],
      [["--max-concurrent-checkpoints", "0"], /option --max-concurrent-checkpoints must be a positive integer, got '0'/],
      [["--tolerable-checkpoint-failures", "some"], /option --tolerable-checkpoint-failures must be a non-negative integer or 'unlimited', got 'some'/],
      [["--retained-checkpoints", "0"], /option --retained-checkpoints must be a positive integer, got '0'/],
      [["--on-cancel", "keep"], /option --on-cancel must be 'delete' or 'retain', got 'keep'/],
      [["--checkpoint-dir="], /option --checkpoint-dir must be a directory path, got ''/],
      [["--from="], /option --from must be 'latest' or the path of a checkpoint, got ''/],
    ];
    for (const [argv, message] of cases) assert.match(await refused(...argv), message, argv.join(" "));
  });

  it("refuse a bad restart strategy with the parser's own message, and exit code 2", async () => {
    assert.match(
      await refused("--restart-strategy", "fixed-dely:attempts=3"),
      /^weir run: option --restart-strategy: invalid restart strategy 'fixed-dely:attempts=3': unknown strategy 'fixed-dely' \(strategies: none, fixed-delay, exponential-delay, failure-rate\)\n/,
    );
    assert.match(await refused("--restart-strategy", "fixed-delay:delay=soon"), /option --restart-strategy: invalid restart strategy 'fixed-delay:delay=soon': delay=soon: 'soon' is not a number with a unit/);
    assert.match(await refused("--restart-strategy", "none:attempts=1"), /none has no option 'attempts'/);
  });
});
