import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ListStateDescriptor } from "../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import { MergingWindowSet, type StoredWindowMapping } from "../../src/windowing/merging-window-set.ts";
import { EventTimeSessionWindows } from "../../src/windowing/session-windows.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);
const sessions = EventTimeSessionWindows.withGap(10);
const mappingDescriptor = new ListStateDescriptor<StoredWindowMapping[number]>("merging-window-set");

function newBackend() {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  backend.setCurrentKey("user-1");
  return backend;
}

type Merge = { result: string; merged: string[]; stateWindow: string; mergedStateWindows: string[] };

/** A set over a fresh backend, recording each merge it reports. */
function recordingSet(backend = newBackend()) {
  const set = new MergingWindowSet(sessions, backend.getState(mappingDescriptor));
  const merges: Merge[] = [];
  const add = (window: TimeWindow) =>
    set.addWindow(window, (result, merged, stateWindow, mergedStateWindows) =>
      merges.push({ result: String(result), merged: merged.map(String), stateWindow: String(stateWindow), mergedStateWindows: mergedStateWindows.map(String) }),
    );
  return { set, merges, add, backend };
}

const mapping = (set: MergingWindowSet<TimeWindow>) => set.entries().map(([window, state]) => `${window.start}-${window.end} in ${state.start}-${state.end}`).sort();

describe("MergingWindowSet", () => {
  it("a window that meets no other is its own state window, and no merge is reported", () => {
    const { set, merges, add } = recordingSet();
    assert.deepEqual(add(w(0, 10)), w(0, 10));
    assert.deepEqual(add(w(20, 30)), w(20, 30));
    assert.deepEqual(mapping(set), ["0-10 in 0-10", "20-30 in 20-30"]);
    assert.deepEqual(merges, []);
  });

  it("a new window overlapping one in flight merges into it, and the merged window keeps that window's state", () => {
    const { set, merges, add } = recordingSet();
    add(w(0, 10));
    assert.deepEqual(add(w(5, 15)), w(0, 15));
    assert.deepEqual(mapping(set), ["0-15 in 0-10"]);
    assert.deepEqual(merges, [{ result: String(w(0, 15)), merged: [String(w(0, 10))], stateWindow: String(w(0, 10)), mergedStateWindows: [] }]);
  });

  it("a window bridging two sessions merges both into one, whose state is one of theirs and takes in the other's", () => {
    const { set, merges, add } = recordingSet();
    add(w(0, 10));
    add(w(20, 30));
    assert.deepEqual(add(w(10, 20)), w(0, 30));
    assert.deepEqual(mapping(set), ["0-30 in 0-10"]);
    assert.equal(merges.length, 1);
    assert.deepEqual(merges[0]!.merged.sort(), [String(w(0, 10)), String(w(20, 30))].sort());
    assert.equal(merges[0]!.stateWindow, String(w(0, 10)));
    assert.deepEqual(merges[0]!.mergedStateWindows, [String(w(20, 30))]);
  });

  it("a chain of merges keeps the first state window throughout", () => {
    const { set, add, merges } = recordingSet();
    add(w(100, 110));
    add(w(105, 115));
    add(w(112, 122));
    add(w(95, 105));
    assert.deepEqual(mapping(set), ["95-122 in 100-110"]);
    assert.deepEqual(merges.map((m) => m.result), [String(w(100, 115)), String(w(100, 122)), String(w(95, 122))]);
    assert.ok(merges.every((m) => m.stateWindow === String(w(100, 110)) && m.mergedStateWindows.length === 0));
  });

  it("a window already covered by one in flight is that window, with no merge reported", () => {
    const { set, merges, add } = recordingSet();
    add(w(0, 10));
    add(w(5, 15));
    merges.length = 0;
    assert.deepEqual(add(w(0, 15)), w(0, 15));
    assert.deepEqual(add(w(2, 8)), w(0, 15));
    assert.deepEqual(merges, []);
    assert.deepEqual(mapping(set), ["0-15 in 0-10"]);
  });

  it("a retired window is forgotten; retiring one not in flight is an internal error", () => {
    const { set, add } = recordingSet();
    add(w(0, 10));
    set.retireWindow(w(0, 10));
    assert.equal(set.getStateWindow(w(0, 10)), undefined);
    assert.throws(() => set.retireWindow(w(0, 10)), (e: unknown) => (e as { code?: string }).code === "WEIR_ERR_INTERNAL");
  });

  it("persists the mapping to keyed state per key, and a set made from that state (also after a snapshot and restore) goes on from it", () => {
    const backend = newBackend();
    const first = recordingSet(backend);
    first.add(w(0, 10));
    first.add(w(5, 15));
    first.add(w(40, 50));
    first.set.persist();
    backend.setCurrentKey("user-2");
    assert.deepEqual(backend.getState(mappingDescriptor).get(), [], "another key has its own mapping");
    const snapshot = backend.snapshot();
    const steps = snapshot.write();
    let step = steps.next();
    while (!step.done) step = steps.next();
    snapshot.release();

    const restored = newBackend();
    restored.restore([step.value]);
    const again = recordingSet(restored);
    assert.deepEqual(mapping(again.set), ["0-15 in 0-10", "40-50 in 40-50"]);
    assert.ok(again.set.getStateWindow(w(0, 15)) instanceof TimeWindow, "windows read back are TimeWindows");
    assert.deepEqual(again.add(w(14, 24)), w(0, 24));
    assert.deepEqual(mapping(again.set), ["0-24 in 0-10", "40-50 in 40-50"]);
  });

  it("persisting without a change writes nothing; an emptied mapping leaves no entry", () => {
    const backend = newBackend();
    const { set, add } = recordingSet(backend);
    set.persist();
    assert.equal(backend.numKeys("merging-window-set"), 0);
    add(w(0, 10));
    set.persist();
    assert.equal(backend.numKeys("merging-window-set"), 1);
    set.retireWindow(w(0, 10));
    set.persist();
    assert.equal(backend.numKeys("merging-window-set"), 0);
  });

  it("with namespaced window contents merged as reported, every element ends up in its session's state window, in any arrival order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 25 }), (timestamps) => {
        const backend = newBackend();
        const contents = backend.getNamespacedState<TimeWindow, number>(new ListStateDescriptor<number>("contents"));
        for (const timestamp of timestamps) {
          const set = new MergingWindowSet(sessions, backend.getState(mappingDescriptor));
          const [window] = sessions.assignWindows(timestamp, timestamp, { getCurrentProcessingTime: () => 0 });
          const actual = set.addWindow(window!, (_result, _merged, stateWindow, mergedStateWindows) => contents.mergeNamespaces(stateWindow, mergedStateWindows));
          contents.setCurrentNamespace(set.getStateWindow(actual)!);
          contents.state.add(timestamp);
          set.persist();
        }
        // Expected sessions: sort, split where the next timestamp is more than a gap after the previous.
        const sorted = [...timestamps].sort((a, b) => a - b);
        const expected: { start: number; end: number; elements: number[] }[] = [];
        for (const t of sorted) {
          const last = expected[expected.length - 1];
          if (last !== undefined && t <= last.end) {
            last.end = Math.max(last.end, t + 10);
            last.elements.push(t);
          } else expected.push({ start: t, end: t + 10, elements: [t] });
        }
        const set = new MergingWindowSet(sessions, backend.getState(mappingDescriptor));
        const actual = set.entries().map(([window, stateWindow]) => {
          contents.setCurrentNamespace(stateWindow);
          return { start: window.start, end: window.end, elements: [...contents.state.get()].sort((a, b) => a - b) };
        });
        assert.deepEqual(actual.sort((a, b) => a.start - b.start), expected);
        assert.equal(backend.numKeys("contents"), expected.length, "merged-away namespaces hold nothing");
      }),
      { numRuns: 200 },
    );
  });
});
