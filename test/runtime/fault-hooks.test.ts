import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { installFaultHooks, SnapshotStepPace, snapshotStepDelayMs, snapshotStepPause, withRestoredSourceDelay } from "../../src/runtime/fault-hooks.ts";
import type { SourceOutput, SourceReader } from "../../src/sources/source.ts";

function countingReader(): SourceReader<number> & { polls: number } {
  return {
    polls: 0,
    pollNext(output: SourceOutput<number>) {
      this.polls++;
      output.collect(this.polls);
      return "more-available";
    },
    isAvailable: () => Promise.resolve(),
    snapshotState() {
      return this.polls;
    },
  };
}

const collector = (): SourceOutput<number> & { got: number[] } => {
  const got: number[] = [];
  return { got, collect: (r: number) => void got.push(r) } as SourceOutput<number> & { got: number[] };
};

describe("fault hooks that slow systems down", () => {
  afterEach(() => installFaultHooks(undefined));

  it("leave readers and snapshots alone when no hooks are installed", () => {
    const reader = countingReader();
    assert.equal(withRestoredSourceDelay(reader), reader);
    assert.equal(snapshotStepDelayMs(), 0);
    assert.equal(snapshotStepPause(), undefined);
  });

  it("make a restored reader have nothing available until it was snapshotted once, then read on where it was", async () => {
    installFaultHooks({ pass: () => false, restoredSourceDelayMs: 60_000, snapshotStepDelayMs: 2 });
    assert.equal(snapshotStepDelayMs(), 2);
    const reader = withRestoredSourceDelay(countingReader());
    const out = collector();
    assert.equal(reader.pollNext(out, 10), "nothing-available");
    const available = reader.isAvailable();
    assert.equal(reader.pollNext(out, 10), "nothing-available");
    assert.deepEqual(out.got, []);
    assert.equal(reader.snapshotState!(), 0, "the first checkpoint after the restore takes its position");
    await available;
    assert.equal(reader.pollNext(out, 10), "more-available");
    assert.deepEqual(out.got, [1]);
  });

  it("pace slow snapshot storage from the phase's start, so a step whose turn passed on a busy machine does not wait again", () => {
    const pace = new SnapshotStepPace(2, 1_000);
    assert.equal(pace.nextWaitMs(1_000), 2, "the first step waits its turn");
    assert.equal(pace.nextWaitMs(1_002.5), 1.5, "the second waits until 4 ms after the start, not 2 ms from now");
    // Timers fired 30 ms late: the steps whose turns passed meanwhile only yield.
    const late = Array.from({ length: 16 }, () => pace.nextWaitMs(1_034));
    assert.deepEqual(late, [...Array<number>(15).fill(0), 2]);
    assert.equal(pace.nextWaitMs(1_034), 4, "once on time again, the next step waits for its turn");
  });

  it("make a restored reader that is never snapshotted wait at most the delay", async () => {
    installFaultHooks({ pass: () => false, restoredSourceDelayMs: 20 });
    const reader = withRestoredSourceDelay(countingReader());
    const out = collector();
    assert.equal(reader.pollNext(out, 10), "nothing-available");
    await reader.isAvailable();
    assert.equal(reader.pollNext(out, 10), "more-available");
  });
});
