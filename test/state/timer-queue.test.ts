import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { assignToKeyGroup } from "../../src/core/key-groups.ts";
import { TimerQueue } from "../../src/state/timer-queue.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";

const group = (key: unknown) => assignToKeyGroup(key, 128);

function fireAll(service: TimerQueue, now: number): [number, unknown][] {
  const fired: [number, unknown][] = [];
  service.fireDue(now, (time, key) => fired.push([time, key]));
  return fired;
}

function register(service: TimerQueue, key: unknown, time: number): void {
  service.register(key, group(key), time);
}

describe("TimerQueue", () => {
  it("fires due timers in ascending time order", () => {
    const service = new TimerQueue();
    for (const [key, time] of [["a", 30], ["b", 10], ["c", 20]] as const) register(service, key, time);
    assert.deepEqual(fireAll(service, 100), [[10, "b"], [20, "c"], [30, "a"]]);
    assert.equal(service.size(), 0);
  });

  it("timers due at the same time fire in registration order", () => {
    const service = new TimerQueue();
    for (const key of ["z", "a", "m", "b"]) register(service, key, 5);
    assert.deepEqual(fireAll(service, 5).map(([, key]) => key), ["z", "a", "m", "b"]);
  });

  it("timers later than now stay pending, and nextTime reports the earliest", () => {
    const service = new TimerQueue();
    assert.equal(service.nextTime(), undefined);
    register(service, "a", 20);
    register(service, "b", 10);
    register(service, "c", 30);
    assert.equal(service.nextTime(), 10);
    assert.equal(service.fireDue(20, () => {}), 2);
    assert.equal(service.nextTime(), 30);
    assert.equal(service.size(), 1);
  });

  it("registering the same key and time twice fires once", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "a", 10);
    assert.equal(service.size(), 1);
    assert.deepEqual(fireAll(service, 10), [[10, "a"]]);
  });

  it("composite keys with equal content share their timers", () => {
    const service = new TimerQueue();
    register(service, { a: 1, b: 2 }, 10);
    register(service, { b: 2, a: 1 }, 10);
    assert.equal(service.size(), 1);
    service.delete({ b: 2, a: 1 }, group({ a: 1, b: 2 }), 10);
    assert.equal(service.size(), 0);
  });

  it("one time under two keys, or one key at two times, fires twice", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "b", 10);
    register(service, "a", 11);
    assert.deepEqual(fireAll(service, 11), [[10, "a"], [10, "b"], [11, "a"]]);
  });

  it("a deleted timer does not fire, and deleting an absent timer changes nothing", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "b", 10);
    register(service, "c", 5);
    service.delete("a", group("a"), 10);
    service.delete("a", group("a"), 10);
    service.delete("zz", group("zz"), 10);
    service.delete("c", group("c"), 99);
    assert.deepEqual(fireAll(service, 10), [[5, "c"], [10, "b"]]);
  });

  it("a timer registered again after it was deleted fires after timers registered before it", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "b", 10);
    service.delete("a", group("a"), 10);
    register(service, "a", 10);
    assert.deepEqual(fireAll(service, 10).map(([, key]) => key), ["b", "a"]);
  });

  it("timers registered while firing with a time not after now fire in the same call", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "b", 20);
    const fired: [number, unknown][] = [];
    const count = service.fireDue(20, (time, key) => {
      fired.push([time, key]);
      if (key === "a") {
        register(service, "a2", 15);
        register(service, "a3", 20);
        register(service, "late", 21);
      }
    });
    assert.deepEqual(fired, [[10, "a"], [15, "a2"], [20, "b"], [20, "a3"]]);
    assert.equal(count, 4);
    assert.equal(service.nextTime(), 21);
  });

  it("a timer a callback registers before the time firing fires before the rest of that time", () => {
    const service = new TimerQueue();
    for (const key of ["b", "c"]) register(service, key, 20);
    const fired: [number, unknown][] = [];
    service.fireDue(20, (time, key) => {
      fired.push([time, key]);
      if (key === "b") register(service, "earlier", 15);
    });
    assert.deepEqual(fired, [[20, "b"], [15, "earlier"], [20, "c"]]);
  });

  it("timers deleted and registered again many times at one time leave the others pending, in registration order", () => {
    const service = new TimerQueue();
    register(service, "first", 10);
    for (let i = 0; i < 500; i++) {
      register(service, `churn${i}`, 10);
      if (i % 7 !== 0) service.delete(`churn${i}`, group(`churn${i}`), 10);
    }
    register(service, "last", 10);
    const kept = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 7 === 0).map((i) => `churn${i}`);
    assert.equal(service.size(), kept.length + 2);
    assert.deepEqual(fireAll(service, 10).map(([, key]) => key), ["first", ...kept, "last"]);
    assert.equal(service.nextTime(), undefined);
  });

  it("a timer is removed before its callback runs, so the callback may register the key again", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    service.fireDue(10, (time, key) => {
      assert.equal(service.size(), 0);
      register(service, key, time + 10);
    });
    assert.deepEqual(service.timers(), [{ time: 20, key: "a", keyGroup: group("a"), namespace: undefined }]);
  });

  it("while a time fires, a timer of it that fired is not deleted again, and registering it again sets it anew", () => {
    const service = new TimerQueue();
    service.register("k", group("k"), 10, "w1");
    service.register("k", group("k"), 10, "w2");
    service.register("j", group("j"), 10);
    const fired: unknown[] = [];
    let again = true;
    service.fireDue(10, (time, key, namespace) => {
      fired.push([time, key, namespace]);
      if (namespace === "w1" && again) {
        again = false;
        service.delete("k", group("k"), 10, "w1");
        service.register("k", group("k"), 10, "w1");
        service.register("k", group("k"), 10, "w1");
      }
    });
    assert.deepEqual(fired, [[10, "k", "w1"], [10, "k", "w2"], [10, "j", undefined], [10, "k", "w1"]]);
    assert.equal(service.size(), 0);
    service.register("k", group("k"), 10, "w2");
    assert.deepEqual(service.timers().map((t) => [t.time, t.key, t.namespace]), [[10, "k", "w2"]]);
  });

  it("a timer deleted by a callback does not fire", () => {
    const service = new TimerQueue();
    register(service, "a", 10);
    register(service, "b", 10);
    const fired = fireAll(service, 0);
    assert.deepEqual(fired, []);
    const keys: unknown[] = [];
    service.fireDue(10, (_time, key) => {
      keys.push(key);
      service.delete("b", group("b"), 10);
    });
    assert.deepEqual(keys, ["a"]);
    assert.equal(service.size(), 0);
  });

  it("a throwing callback leaves the timers not yet fired pending", () => {
    const service = new TimerQueue();
    for (const time of [1, 2, 3]) register(service, "k", time);
    assert.throws(() =>
      service.fireDue(3, (time) => {
        if (time === 2) throw new Error("boom");
      }),
    );
    assert.deepEqual(service.timers().map((t) => t.time), [3]);
  });

  it("timers() lists pending timers with their key groups in firing order", () => {
    const service = new TimerQueue();
    register(service, "b", 20);
    register(service, "a", 10);
    register(service, "c", 10);
    assert.deepEqual(service.timers(), [
      { time: 10, key: "a", keyGroup: group("a"), namespace: undefined },
      { time: 10, key: "c", keyGroup: group("c"), namespace: undefined },
      { time: 20, key: "b", keyGroup: group("b"), namespace: undefined },
    ]);
  });

  it("a time that is not a number is an invalid argument", () => {
    const service = new TimerQueue();
    assert.throws(() => service.register("a", group("a"), Number.NaN), (e) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT");
  });

  it("one key under two key groups is an internal error", () => {
    const service = new TimerQueue();
    service.register("a", 3, 10);
    assert.throws(() => service.register("a", 4, 10), (e) => e instanceof WeirError && e.code === "WEIR_ERR_INTERNAL");
  });

  it("after any set of deletions the remaining timers fire in order", () => {
    const timers = fc.uniqueArray(fc.record({ key: fc.integer({ min: 0, max: 50 }), time: fc.integer({ min: 0, max: 1_000 }), deleted: fc.boolean() }), {
      selector: (t) => `${t.key}@${t.time}`,
      maxLength: 300,
    });
    fc.assert(
      fc.property(timers, (all) => {
        const service = new TimerQueue();
        for (const t of all) register(service, t.key, t.time);
        for (const t of all) if (t.deleted) service.delete(t.key, group(t.key), t.time);
        const expected = all
          .map((t, seq) => ({ ...t, seq }))
          .filter((t) => !t.deleted)
          .sort((a, b) => a.time - b.time || a.seq - b.seq)
          .map((t) => [t.time, t.key]);
        assert.deepEqual(fireAll(service, 1_000), expected);
      }),
      { numRuns: 200 },
    );
  });

  it("behaves like a sorted list of unique (key, time) pairs under any sequence of operations", () => {
    type Op = { op: "register"; key: number; time: number } | { op: "delete"; key: number; time: number } | { op: "fire"; now: number };
    const key = fc.integer({ min: 0, max: 4 });
    const time = fc.integer({ min: 0, max: 15 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant("register" as const), key, time }), weight: 6 },
      { arbitrary: fc.record({ op: fc.constant("delete" as const), key, time }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant("fire" as const), now: time }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const service = new TimerQueue();
        let model: { key: number; time: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.op === "register") {
            if (!model.some((t) => t.key === o.key && t.time === o.time)) model.push({ key: o.key, time: o.time, seq: seq++ });
            register(service, o.key, o.time);
          } else if (o.op === "delete") {
            model = model.filter((t) => !(t.key === o.key && t.time === o.time));
            service.delete(o.key, group(o.key), o.time);
          } else {
            const due = model.filter((t) => t.time <= o.now).sort((a, b) => a.time - b.time || a.seq - b.seq);
            model = model.filter((t) => t.time > o.now);
            assert.deepEqual(fireAll(service, o.now), due.map((t) => [t.time, t.key]));
          }
          assert.equal(service.size(), model.length);
          assert.equal(service.nextTime(), model.length === 0 ? undefined : Math.min(...model.map((t) => t.time)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("timers of one key and time in different namespaces are different timers; equal namespaces are one", () => {
    const service = new TimerQueue();
    const fired: [number, unknown, unknown][] = [];
    service.register("a", group("a"), 10, { start: 0, end: 10 });
    service.register("a", group("a"), 10, { end: 10, start: 0 });
    service.register("a", group("a"), 10, { start: 5, end: 10 });
    service.register("a", group("a"), 10);
    service.fireDue(10, (time, key, namespace) => fired.push([time, key, namespace]));
    assert.deepEqual(fired, [
      [10, "a", { start: 0, end: 10 }],
      [10, "a", { start: 5, end: 10 }],
      [10, "a", undefined],
    ]);
  });

  it("deletes only the timer of the given namespace", () => {
    const service = new TimerQueue();
    service.register("a", group("a"), 10, "w1");
    service.register("a", group("a"), 10, "w2");
    service.delete("a", group("a"), 10, "w1");
    service.delete("a", group("a"), 10);
    assert.deepEqual(service.timers().map((t) => t.namespace), ["w2"]);
  });

  it("behaves like a sorted list of unique (key, namespace, time) triples, whichever objects carry equal namespaces", () => {
    // Namespace 0 is none; 1 and 2 are windows, given as a shared object or a fresh equal one; 3 is NaN.
    const shared = [undefined, new TimeWindow(0, 10), new TimeWindow(5, 10), Number.NaN];
    type Op = { op: "register" | "delete"; key: number; ns: number; fresh: boolean; time: number } | { op: "fire"; now: number };
    const entry = { key: fc.integer({ min: 0, max: 2 }), ns: fc.integer({ min: 0, max: 3 }), fresh: fc.boolean(), time: fc.integer({ min: 0, max: 6 }) };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant("register" as const), ...entry }), weight: 6 },
      { arbitrary: fc.record({ op: fc.constant("delete" as const), ...entry }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant("fire" as const), now: fc.integer({ min: 0, max: 6 }) }), weight: 1 },
    );
    const namespaceOf = (ns: number, fresh: boolean) => {
      const window = shared[ns];
      return fresh && window instanceof TimeWindow ? new TimeWindow(window.start, window.end) : window;
    };
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const service = new TimerQueue();
        let model: { key: number; ns: number; time: number; seq: number }[] = [];
        let seq = 0;
        const same = (t: { key: number; ns: number; time: number }, o: { key: number; ns: number; time: number }) => t.key === o.key && t.ns === o.ns && t.time === o.time;
        for (const o of ops) {
          if (o.op === "fire") {
            const due = model.filter((t) => t.time <= o.now).sort((a, b) => a.time - b.time || a.seq - b.seq);
            model = model.filter((t) => t.time > o.now);
            const fired: [number, unknown, number][] = [];
            service.fireDue(o.now, (time, key, namespace) => fired.push([time, key, shared.findIndex((w) => Object.is(w, namespace) || (w instanceof TimeWindow && w.equals(namespace)))]));
            assert.deepEqual(fired, due.map((t) => [t.time, t.key, t.ns]));
          } else if (o.op === "register") {
            if (!model.some((t) => same(t, o))) model.push({ key: o.key, ns: o.ns, time: o.time, seq: seq++ });
            service.register(o.key, group(o.key), o.time, namespaceOf(o.ns, o.fresh));
          } else {
            model = model.filter((t) => !same(t, o));
            service.delete(o.key, group(o.key), o.time, namespaceOf(o.ns, o.fresh));
          }
          assert.equal(service.size(), model.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a window's timer registered again after it fired is set anew", () => {
    const service = new TimerQueue();
    const window = new TimeWindow(0, 10);
    service.register("a", group("a"), 9, window);
    const fired: unknown[] = [];
    service.fireDue(9, (_time, _key, namespace) => fired.push(namespace));
    service.register("a", group("a"), 9, window);
    service.fireDue(9, (_time, _key, namespace) => fired.push(namespace));
    assert.deepEqual(fired, [window, window]);
  });
});
