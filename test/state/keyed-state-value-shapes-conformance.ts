/**
 * The value conformance suite every keyed state backend passes: values of every shape that
 * TypeScript code keeps in state (Maps and Sets inside objects, Dates, bigints, typed arrays, -0,
 * undefined fields, holes, shared sub-objects, cycles) come back from a snapshot and restore, in
 * every kind of state, as structuredClone would copy them, sharing no object with the live state;
 * a value that cannot be written fails the snapshot, naming the state, key and path; and
 * snapshots written by the previous format still restore.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { WeirError } from "../../src/core/errors.ts";
import type { KeyGroupRange } from "../../src/core/key-groups.ts";
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { assertClonedFrom, valueShapes } from "../fixtures/value-shapes.ts";
import type { BackendTraits } from "./keyed-state-backend-conformance.ts";
import { writeAll } from "./keyed-state-snapshot-conformance.ts";

type Factory = (options: { keyGroupRange: KeyGroupRange; maxParallelism: number }) => KeyedStateBackend;

const MAX = 16;
const FULL = { start: 0, end: MAX - 1 };

const value = new ValueStateDescriptor<unknown>("shapeValue");
const list = new ListStateDescriptor<unknown>("shapeList");
const map = new MapStateDescriptor<string, unknown>("shapeMap");
/** Keeps the latest value: the stored value is the value added. */
const reducing = new ReducingStateDescriptor<unknown>("shapeReducing", (_acc, next) => next);
/** Keeps the latest value inside an accumulator changed in place. */
const aggregating = new AggregatingStateDescriptor<unknown, { latest: unknown; count: number }, unknown>("shapeAggregating", {
  createAccumulator: () => ({ latest: undefined, count: 0 }),
  add: (v, acc) => {
    acc.latest = v;
    acc.count++;
    return acc;
  },
  getResult: (acc) => acc.latest,
});

/** How each kind of state stores a value (twice, the second time inside another value) and reads it back. */
const kinds: readonly [kind: string, put: (b: KeyedStateBackend, v: unknown) => void, read: (b: KeyedStateBackend) => unknown[]][] = [
  ["value", (b, v) => b.getState(value).update(v), (b) => [b.getState(value).value()]],
  [
    "list",
    (b, v) => {
      b.getState(list).add(v);
      b.getState(list).addAll([{ second: v }]);
    },
    (b) => {
      const [first, second] = b.getState(list).get();
      return [first, (second as { second: unknown }).second];
    },
  ],
  [
    "map",
    (b, v) => {
      b.getState(map).put("entry", v);
      b.getState(map).put("also", [v]);
    },
    (b) => [b.getState(map).get("entry"), (b.getState(map).get("also") as unknown[])[0]],
  ],
  ["reducing", (b, v) => b.getState(reducing).add(v), (b) => [b.getState(reducing).get()]],
  ["aggregating", (b, v) => b.getState(aggregating).add(v), (b) => [b.getState(aggregating).get()]],
];

function restoredFrom(create: Factory, bytes: Uint8Array): KeyedStateBackend {
  const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
  backend.restore([bytes]);
  return backend;
}

export function keyedStateValueShapesConformance(name: string, create: Factory, traits: BackendTraits): void {
  describe(`${name}: values of every shape through snapshot and restore`, () => {
    for (const [kind, put, read] of kinds) {
      for (const [shape, original] of valueShapes()) {
        it(`${kind} state: ${shape}`, () => {
          const live = create({ keyGroupRange: FULL, maxParallelism: MAX });
          live.setCurrentKey(shape);
          put(live, original);
          const restored = restoredFrom(create, writeAll(live.snapshot()));
          restored.setCurrentKey(shape);
          for (const back of read(restored)) assertClonedFrom(back, original, shape);
        });
      }
    }

    it("a Map inside a value, changed in place after the snapshot was taken, does not reach it", () => {
      const live = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const profile = new ValueStateDescriptor<{ seen: Map<string, number>; tags: Set<string>; at: Date }>("profile");
      live.setCurrentKey("u");
      live.getState(profile).update({ seen: new Map([["a", 1]]), tags: new Set(["x"]), at: new Date(5) });
      const snapshot = live.snapshot();
      const current = live.getState(profile).value()!;
      current.seen.set("a", 2);
      current.tags.add("y");
      current.at.setTime(6);
      live.getState(profile).update(current);
      const back = restoredFrom(create, writeAll(snapshot));
      back.setCurrentKey("u");
      const got = back.getState(profile).value()!;
      assert.deepEqual([[...got.seen], [...got.tags], got.at.getTime()], [[["a", 1]], ["x"], 5]);
      assert.ok(got.seen instanceof Map && got.tags instanceof Set && got.at instanceof Date);
    });

    it("a map state whose values are Maps restores Maps, and changing one changes nothing else", () => {
      const live = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const byDay = new MapStateDescriptor<string, Map<string, number>>("byDay");
      live.setCurrentKey("u");
      const shared = new Map([["clicks", 1]]);
      live.getState(byDay).put("mon", shared);
      live.getState(byDay).put("tue", shared);
      const back = restoredFrom(create, writeAll(live.snapshot()));
      back.setCurrentKey("u");
      const state = back.getState(byDay);
      const mon = state.get("mon")!;
      assert.ok(mon instanceof Map);
      mon.set("clicks", 100);
      assert.deepEqual([...state.get("tue")!], [["clicks", 1]], "entries of a map state are separate values");
      assert.deepEqual([...shared], [["clicks", 1]], "the live state keeps its own Map");
    });

    for (const [kind, put] of [
      ["value", (b: KeyedStateBackend, v: unknown) => b.getState(new ValueStateDescriptor<unknown>("refused")).update(v)],
      ["list", (b: KeyedStateBackend, v: unknown) => b.getState(new ListStateDescriptor<unknown>("refused")).add(v)],
      ["map", (b: KeyedStateBackend, v: unknown) => b.getState(new MapStateDescriptor<string, unknown>("refused")).put("entry", v)],
      ["reducing", (b: KeyedStateBackend, v: unknown) => b.getState(new ReducingStateDescriptor<unknown>("refused", (_a, n) => n)).add(v)],
    ] as const) {
      it(`a function, symbol or weak reference in ${kind} state fails ${traits.storesEncoded ? "the write" : "the snapshot"}, naming the state, key and path`, () => {
        class Session {
          constructor(
            readonly id: number,
            readonly onEnd: unknown,
          ) {}
        }
        for (const [bad, what] of [
          [{ onExpire: () => 1 }, /holds at value[^ ]*\.onExpire a function/],
          [{ tags: new Set([Symbol("t")]) }, /holds at value[^ ]*\.tags\.values\(\)\[0\] a symbol/],
          [{ sessions: [new Session(1, () => 1)] }, /holds at value[^ ]*\.sessions\[0\]\.onEnd a function/],
          [{ last: new WeakRef({}) }, /holds at value[^ ]*\.last an instance of class WeakRef/],
        ] as const) {
          const live = create({ keyGroupRange: FULL, maxParallelism: MAX });
          live.setCurrentKey("user-7");
          const refused = (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && e.message.includes("'refused'") && e.message.includes('"user-7"') && what.test(e.message);
          if (traits.storesEncoded) {
            assert.throws(() => put(live, bad), refused);
            continue;
          }
          put(live, bad);
          const snapshot = live.snapshot();
          assert.throws(() => writeAll(snapshot), refused);
          snapshot.release();
        }
      });
    }

    it("a snapshot written in the previous format (keyed state format 1) still restores", () => {
      const bytes = readFileSync(new URL("../fixtures/state/main-keyed-v1.bin", import.meta.url));
      const back = restoredFrom(create, bytes);
      for (let k = 0; k < 6; k++) {
        back.setCurrentKey(`user-${k}`);
        assert.equal(back.getState(new ValueStateDescriptor<number>("counts")).value(), k * 10);
        const profile = back.getState(new ValueStateDescriptor<{ name: string; tags: Set<string>; at: Date; big: bigint }>("profiles")).value()!;
        assert.deepEqual(profile, { name: `user ${k}`, tags: new Set(["a", `t${k}`]), at: new Date(1_700_000_000_000 + k), big: BigInt(k) ** 30n });
        assert.deepEqual(back.getState(new ListStateDescriptor<unknown>("events")).get(), [{ kind: "click", n: k }, { kind: "view", n: k + 0.5 }]);
        assert.deepEqual([...back.getState(new MapStateDescriptor<string, unknown>("totals")).entries()], [["eur", k * 2], ["usd", { cents: k }]]);
      }
    });

    it("corrupt keyed state is refused, naming where it was read from", () => {
      const live = create({ keyGroupRange: FULL, maxParallelism: MAX });
      for (const [shape, v] of valueShapes()) {
        live.setCurrentKey(shape);
        live.getState(value).update(v);
      }
      const bytes = writeAll(live.snapshot());
      const damaged = Uint8Array.from(bytes);
      damaged.fill(0xc1, bytes.length - 40); // 0xc1 is never used in MessagePack
      assert.throws(
        () => create({ keyGroupRange: FULL, maxParallelism: MAX }).restore([damaged], ["operator 'counts' subtask 0 (chk-4/op-counts-0)"]),
        (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT" && e.message.includes("chk-4/op-counts-0"),
      );
    });
  });
}
