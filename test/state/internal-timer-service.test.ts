import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assignToKeyGroup, keyGroupRangeForSubtask } from "../../src/core/key-groups.ts";
import { MAX_WATERMARK, MIN_WATERMARK } from "../../src/core/watermark.ts";
import { InternalTimerService, TimeDomain, type TimerKeyContext } from "../../src/state/internal-timer-service.ts";

class Keys implements TimerKeyContext {
  key: unknown = undefined;
  getCurrentKey(): unknown {
    return this.key;
  }
  getCurrentKeyGroup(): number {
    return assignToKeyGroup(this.key, 128);
  }
  setCurrentKey(key: unknown): void {
    this.key = key;
  }
}

type Fired = [time: number, key: unknown, namespace: unknown, domain: TimeDomain];

function service(): { timers: InternalTimerService<unknown>; keys: Keys; fired: Fired[]; trigger: (t: number, n: unknown, d: TimeDomain) => void } {
  const keys = new Keys();
  const fired: Fired[] = [];
  return { timers: new InternalTimerService<unknown>(keys), keys, fired, trigger: (t, n, d) => fired.push([t, keys.key, n, d]) };
}

describe("InternalTimerService", () => {
  it("starts at the minimum watermark and fires event-time timers at or before each new watermark, key current", () => {
    const { timers, keys, fired, trigger } = service();
    assert.equal(timers.currentWatermark(), MIN_WATERMARK);
    keys.key = "a";
    timers.registerEventTimeTimer(undefined, 10);
    keys.key = "b";
    timers.registerEventTimeTimer(undefined, 20);
    timers.advanceWatermark(9, trigger);
    assert.deepEqual(fired, []);
    timers.advanceWatermark(10, trigger);
    assert.deepEqual(fired, [[10, "a", undefined, "EVENT_TIME"]]);
    assert.equal(timers.currentWatermark(), 10);
  });

  it("never moves the watermark backwards", () => {
    const { timers, keys, fired, trigger } = service();
    timers.advanceWatermark(50, trigger);
    keys.key = "a";
    timers.registerEventTimeTimer(undefined, 40);
    timers.advanceWatermark(30, trigger);
    assert.equal(timers.currentWatermark(), 50);
    assert.deepEqual(fired, []);
    timers.advanceWatermark(51, trigger);
    assert.deepEqual(fired, [[40, "a", undefined, "EVENT_TIME"]]);
  });

  it("fires a timer registered twice for one key, namespace and time once", () => {
    const { timers, keys, fired, trigger } = service();
    keys.key = "a";
    timers.registerEventTimeTimer("w", 10);
    timers.registerEventTimeTimer("w", 10);
    timers.advanceWatermark(MAX_WATERMARK, trigger);
    assert.deepEqual(fired, [[10, "a", "w", "EVENT_TIME"]]);
  });

  it("keeps the two time domains apart: a watermark fires no processing-time timer and the clock no event-time timer", () => {
    const { timers, keys, fired, trigger } = service();
    keys.key = "a";
    timers.registerEventTimeTimer(undefined, 10);
    timers.registerProcessingTimeTimer(undefined, 10);
    assert.equal(timers.nextProcessingTime(), 10);
    timers.onProcessingTime(100, trigger);
    assert.deepEqual(fired, [[10, "a", undefined, TimeDomain.PROCESSING_TIME]]);
    timers.advanceWatermark(100, trigger);
    assert.deepEqual(fired.at(-1), [10, "a", undefined, TimeDomain.EVENT_TIME]);
    assert.equal(timers.size(), 0);
  });

  it("deletes an event-time timer of the current key and namespace", () => {
    const { timers, keys, fired, trigger } = service();
    keys.key = "a";
    timers.registerEventTimeTimer("w1", 10);
    timers.registerEventTimeTimer("w2", 10);
    timers.deleteEventTimeTimer("w1", 10);
    keys.key = "b";
    timers.deleteEventTimeTimer("w2", 10);
    timers.advanceWatermark(10, trigger);
    assert.deepEqual(fired, [[10, "a", "w2", "EVENT_TIME"]]);
  });

  it("restores the timers of its key groups from a snapshot, each in its domain and namespace, with the watermark back at the minimum", () => {
    const { timers, keys, trigger } = service();
    for (const key of ["a", "b", "c", "d", "e", "f"]) {
      keys.key = key;
      timers.registerEventTimeTimer({ end: 5 }, 5);
      timers.registerProcessingTimeTimer(undefined, 7);
    }
    timers.advanceWatermark(1, trigger);
    const entries = timers.snapshot();
    const range = keyGroupRangeForSubtask(0, 2, 128);
    const restored = service();
    restored.timers.restore(entries, range, 128);
    assert.equal(restored.timers.currentWatermark(), MIN_WATERMARK);
    restored.timers.advanceWatermark(5, restored.trigger);
    restored.timers.onProcessingTime(7, restored.trigger);
    const mine = ["a", "b", "c", "d", "e", "f"].filter((k) => {
      const g = assignToKeyGroup(k, 128);
      return g >= range.start && g <= range.end;
    });
    assert.ok(mine.length > 0 && mine.length < 6, "the keys span both halves of the key groups");
    assert.deepEqual(restored.fired, [
      ...mine.map((k) => [5, k, { end: 5 }, "EVENT_TIME"] as Fired),
      ...mine.map((k) => [7, k, undefined, "PROCESSING_TIME"] as Fired),
    ]);
  });

  it("reads processing-time timers of the older [time, key] form", () => {
    const { timers, fired, trigger } = service();
    timers.restore([[3, "a"]], { start: 0, end: 127 }, 128);
    timers.onProcessingTime(3, trigger);
    assert.deepEqual(fired, [[3, "a", undefined, "PROCESSING_TIME"]]);
  });
});
