import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import { DEFAULT_BASE_TIME, NexmarkConfig, nexmarkEvent, nexmarkSource } from "../../../src/sources/index.ts";
import type { NexmarkEvent } from "../../../src/sources/index.ts";
import { createReader, drainSync, poll, readAllSubtasks } from "../reading.ts";

function byTimeAndContent(events: readonly NexmarkEvent[]): NexmarkEvent[] {
  return events
    .map((event) => ({ key: JSON.stringify(event), event }))
    .sort((a, b) => a.event.dateTime - b.event.dateTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ event }) => event);
}

describe("nexmarkSource", () => {
  it("emits events 0 to n - 1 of nexmarkEvent, the same multiset at parallelism 1, 2 and 3", async () => {
    const source = nexmarkSource({ events: 3000, seed: 5 });
    assert.equal(source.boundedness, "bounded");
    const config = new NexmarkConfig({ seed: 5 });
    const expected = byTimeAndContent(Array.from({ length: 3000 }, (_, n) => nexmarkEvent(n, config)));
    for (const parallelism of [1, 2, 3]) {
      const subtasks = await readAllSubtasks(source, parallelism, 97);
      assert.deepEqual(byTimeAndContent(subtasks.flat()), expected);
    }
  });

  it("subtask i emits the events numbered i, i + p, i + 2p in order", () => {
    const config = new NexmarkConfig({ seed: 2 });
    const got = drainSync(createReader(nexmarkSource({ events: 100, seed: 2 }), 1, 4), 7);
    assert.deepEqual(got, Array.from({ length: 25 }, (_, k) => nexmarkEvent(1 + 4 * k, config)));
  });

  it("without a number of events the source is unbounded", () => {
    const source = nexmarkSource();
    assert.equal(source.boundedness, "unbounded");
    assert.equal(poll(createReader(source), 500).records.length, 500);
  });

  it("with a rate limit and no event-time rate, event time advances at the limit", () => {
    const clock = new ManualClock();
    const reader = createReader(nexmarkSource({ events: 6, eventsPerSecond: 1000 }), 0, 1, clock);
    assert.deepEqual(poll(reader, 10).records.map((e) => e.dateTime - DEFAULT_BASE_TIME), [0]);
    assert.equal(poll(reader, 10).status, "nothing-available");
    clock.advance(5);
    const { status, records } = poll(reader, 10);
    assert.equal(status, "end-of-input");
    assert.deepEqual(records.map((e) => e.dateTime - DEFAULT_BASE_TIME), [1, 2, 3, 4, 5]);
  });

  it("an explicit event-time rate wins over the rate limit", () => {
    const clock = new ManualClock();
    const source = nexmarkSource({ events: 3, eventsPerSecond: 1000, eventTimeRate: 10, baseTime: 0 });
    const reader = createReader(source, 0, 1, clock);
    const first = poll(reader, 10).records;
    clock.advance(2);
    const rest = poll(reader, 10).records;
    assert.deepEqual([...first, ...rest].map((e) => e.dateTime), [0, 100, 200]);
  });
});
