/**
 * The schema-evolution conformance suite every keyed state backend passes: snapshots record each
 * state's version; restored state of an older version is migrated by the descriptor's `migrate`
 * (which changes values in place, as TypeScript code does) for every kind, under TTL too, and for
 * snapshots of several versions restored into one backend; the next snapshot is of the new
 * version; state restored but not asked for keeps its version; a snapshot in flight never sees a
 * migration; a missing migration and a newer version are refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ManualClock, type Clock } from "../../src/core/clock.ts";
import { WeirError } from "../../src/core/errors.ts";
import type { KeyGroupRange } from "../../src/core/key-groups.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type StateSchemaOptions,
} from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { StateTtlConfig } from "../../src/state/ttl/state-ttl-config.ts";
import { writeAll } from "./keyed-state-snapshot-conformance.ts";

type Factory = (options: { keyGroupRange: KeyGroupRange; maxParallelism: number; clock?: Clock; operator?: string }) => KeyedStateBackend;

const MAX = 16;
const FULL = { start: 0, end: MAX - 1 };
const KEYS = ["a", "b", "c", "d", "e", "f"];

interface Count {
  count: number;
}
interface CountSince {
  count: number;
  since: number;
}

/** {count} → {count, since}, changing the old object in place; records every call. */
function countSince(calls: number[] = []): StateSchemaOptions<CountSince> {
  return {
    version: 2,
    migrate: (old, fromVersion) => {
      calls.push(fromVersion);
      const value = old as CountSince;
      value.since = 0;
      return value;
    },
  };
}

const never: StateSchemaOptions<never>["migrate"] = (old, fromVersion) => {
  throw new Error(`migrate was called for ${JSON.stringify(old)} from version ${fromVersion}`);
};

function refusedMigration(...parts: string[]): (e: unknown) => boolean {
  return (e) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_MIGRATION_MISSING" && parts.every((p) => e.message.includes(p));
}

export function keyedStateMigrationConformance(name: string, create: Factory): void {
  const fresh = (range: KeyGroupRange = FULL): KeyedStateBackend => create({ keyGroupRange: range, maxParallelism: MAX, operator: "counter" });
  const restored = (snapshots: Uint8Array[], range: KeyGroupRange = FULL): KeyedStateBackend => {
    const backend = fresh(range);
    backend.restore(snapshots);
    return backend;
  };

  /** A snapshot of value state 'visits' at version 1: key k holds {count: k + 1}. */
  const countsAtVersion1 = (): Uint8Array => {
    const backend = fresh();
    const visits = backend.getState(new ValueStateDescriptor<Count>("visits"));
    KEYS.forEach((key, k) => {
      backend.setCurrentKey(key);
      visits.update({ count: k + 1 });
    });
    return writeAll(backend.snapshot());
  };

  describe(`${name}: state schema evolution`, () => {
    it("a value state of objects written at version 1 reads, restored at version 2, what migrate made of each value", () => {
      const calls: number[] = [];
      const backend = restored([countsAtVersion1()]);
      const visits = backend.getState(new ValueStateDescriptor<CountSince>("visits", countSince(calls)));
      KEYS.forEach((key, k) => {
        backend.setCurrentKey(key);
        assert.deepEqual(visits.value(), { count: k + 1, since: 0 });
      });
      assert.deepEqual(calls, KEYS.map(() => 1));
    });

    it("the next snapshot is of version 2: restoring it at version 2 migrates nothing, and version 3 migrates from 2", () => {
      const first = restored([countsAtVersion1()]);
      first.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      const again = restored([writeAll(first.snapshot())]);
      const visits = again.getState(new ValueStateDescriptor<CountSince>("visits", { version: 2, migrate: never }));
      again.setCurrentKey("b");
      assert.deepEqual(visits.value(), { count: 2, since: 0 });
      const froms: number[] = [];
      const third = restored([writeAll(again.snapshot())]);
      third.getState(new ValueStateDescriptor<CountSince>("visits", { version: 3, migrate: (old, from) => (froms.push(from), old as CountSince) }));
      assert.deepEqual(new Set(froms), new Set([2]));
    });

    it("each list element and each map value is migrated; map keys stay; reducing values and accumulators are migrated", () => {
      const old = fresh();
      const list = old.getState(new ListStateDescriptor<number>("list"));
      const map = old.getState(new MapStateDescriptor<string, number>("map"));
      const sum = old.getState(new ReducingStateDescriptor<number>("sum", (a, b) => a + b));
      const avg = old.getState(new AggregatingStateDescriptor<number, [number, number], number>("avg", { createAccumulator: () => [0, 0], add: (v, [s, n]) => [s + v, n + 1], getResult: ([s, n]) => s / n }));
      old.setCurrentKey("a");
      list.addAll([1, 2, 3]);
      map.put("x", 10);
      map.put("y", 20);
      sum.add(4);
      avg.add(6);
      avg.add(8);
      const backend = restored([writeAll(old.snapshot())]);
      const times10 = { version: 2, migrate: (v: unknown) => (v as number) * 10 };
      backend.setCurrentKey("a");
      assert.deepEqual(backend.getState(new ListStateDescriptor<number>("list", times10)).get(), [10, 20, 30]);
      assert.deepEqual([...backend.getState(new MapStateDescriptor<string, number>("map", times10)).entries()], [["x", 100], ["y", 200]]);
      assert.equal(backend.getState(new ReducingStateDescriptor<number>("sum", (a, b) => a + b, times10)).get(), 40);
      const migrated = backend.getState(
        new AggregatingStateDescriptor<number, { sum: number; n: number }, number>(
          "avg",
          { createAccumulator: () => ({ sum: 0, n: 0 }), add: (v, acc) => ((acc.sum += v), acc.n++, acc), getResult: (acc) => acc.sum / acc.n },
          { version: 2, migrate: (old) => ({ sum: (old as number[])[0]!, n: (old as number[])[1]! }) },
        ),
      );
      migrated.add(10);
      assert.equal(migrated.get(), 8);
    });

    it("a migrate that returns undefined clears the key's value, or drops the list element", () => {
      const old = fresh();
      old.setCurrentKey("a");
      old.getState(new ValueStateDescriptor<number>("value")).update(1);
      old.getState(new ListStateDescriptor<number>("list")).addAll([1, 2, 3, 4]);
      old.setCurrentKey("b");
      old.getState(new ValueStateDescriptor<number>("value")).update(2);
      const backend = restored([writeAll(old.snapshot())]);
      const evenOnly = { version: 2, migrate: (v: unknown) => ((v as number) % 2 === 0 ? v : undefined) };
      const value = backend.getState(new ValueStateDescriptor<unknown>("value", evenOnly));
      const list = backend.getState(new ListStateDescriptor<unknown>("list", evenOnly));
      assert.equal(backend.numKeys("value"), 1);
      backend.setCurrentKey("a");
      assert.equal(value.value(), undefined);
      assert.deepEqual(list.get(), [2, 4]);
    });

    it("a version that grew without a migrate function is refused when the state is asked for, naming operator, state and versions", () => {
      const backend = restored([countsAtVersion1()]);
      assert.throws(() => backend.getState(new ValueStateDescriptor<CountSince>("visits", { version: 2 })), refusedMigration("'counter'", "'visits'", "version 1", "version 2", "migrate"));
    });

    it("a restored version newer than the descriptor's is refused", () => {
      const first = restored([countsAtVersion1()]);
      first.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      const back = restored([writeAll(first.snapshot())]);
      assert.throws(() => back.getState(new ValueStateDescriptor<Count>("visits")), refusedMigration("'visits'", "version 2", "version 1", "newer"));
    });

    it("an empty state of an older version is refused without a migration too, as the check before a restore refuses it", () => {
      const old = fresh();
      old.getState(new ValueStateDescriptor<Count>("visits"));
      const backend = restored([writeAll(old.snapshot())]);
      assert.throws(() => backend.getState(new ValueStateDescriptor<CountSince>("visits", { version: 2 })), refusedMigration("'visits'"));
      const again = restored([writeAll(old.snapshot())]);
      again.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      assert.equal(again.numKeys("visits"), 0);
    });

    it("restored state nobody asks for keeps its version in later snapshots, and is migrated from it when a later run asks", () => {
      const idle = restored([countsAtVersion1()]);
      const calls: number[] = [];
      const later = restored([writeAll(idle.snapshot())]);
      const visits = later.getState(new ValueStateDescriptor<CountSince>("visits", countSince(calls)));
      later.setCurrentKey("c");
      assert.deepEqual(visits.value(), { count: 3, since: 0 });
      assert.deepEqual(calls, KEYS.map(() => 1));
    });

    it("snapshots of different versions restored into one backend (a rescale) are each migrated from their own version", () => {
      const left = { start: 0, end: 7 };
      const right = { start: 8, end: 15 };
      const v1 = countsAtVersion1();
      const leftIdle = restored([v1], left);
      const rightAsked = restored([v1], right);
      rightAsked.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      const froms = new Map<number, number>();
      const merged = restored([writeAll(leftIdle.snapshot()), writeAll(rightAsked.snapshot())]);
      // Written as they were read: a snapshot of the merged backend holds both versions still.
      const again = restored([writeAll(merged.snapshot())]);
      const visits = again.getState(
        new ValueStateDescriptor<CountSince>("visits", {
          version: 3,
          migrate: (old, from) => {
            froms.set(from, (froms.get(from) ?? 0) + 1);
            const value = old as CountSince;
            value.since ??= -1;
            return value;
          },
        }),
      );
      KEYS.forEach((key, k) => {
        again.setCurrentKey(key);
        const value = visits.value()!;
        assert.equal(value.count, k + 1);
        assert.equal(value.since, again.getCurrentKeyGroup() <= 7 ? -1 : 0);
      });
      assert.equal((froms.get(1) ?? 0) + (froms.get(2) ?? 0), KEYS.length);
      assert.ok(froms.get(1)! > 0 && froms.get(2)! > 0, "the keys fall in both halves");
    });

    it("a state asked for while a snapshot is written is migrated without the snapshot seeing it", () => {
      const backend = restored([countsAtVersion1()]);
      const inFlight = backend.snapshot();
      backend.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      const written = writeAll(inFlight);
      const back = restored([written]);
      const visits = back.getState(new ValueStateDescriptor<Count>("visits", { version: 1, migrate: never }));
      KEYS.forEach((key, k) => {
        back.setCurrentKey(key);
        assert.deepEqual(visits.value(), { count: k + 1 });
      });
    });

    it("under TTL the user value is migrated and its last access time kept", () => {
      const clock = new ManualClock(1_000);
      const ttl = (): StateTtlConfig => StateTtlConfig.newBuilder(100).build();
      const old = create({ keyGroupRange: FULL, maxParallelism: MAX, clock });
      const v1 = new ValueStateDescriptor<Count>("visits");
      v1.enableTimeToLive(ttl());
      old.setCurrentKey("a");
      old.getState(v1).update({ count: 1 });
      clock.advance(60);
      const backend = create({ keyGroupRange: FULL, maxParallelism: MAX, clock });
      backend.restore([writeAll(old.snapshot())]);
      const v2 = new ValueStateDescriptor<CountSince>("visits", countSince());
      v2.enableTimeToLive(ttl());
      const visits = backend.getState(v2);
      backend.setCurrentKey("a");
      assert.deepEqual(visits.value(), { count: 1, since: 0 });
      clock.advance(50);
      assert.equal(visits.value(), undefined, "expired 100 ms after it was written, not after the migration");
    });

    it("a snapshot of format 2, which has no versions, reads as version 1", () => {
      const bytes = readFileSync(new URL("../fixtures/state/main-keyed-v2.bin", import.meta.url));
      const backend = restored([bytes]);
      const visits = backend.getState(new ValueStateDescriptor<CountSince>("visits", countSince()));
      const pages = backend.getState(new ListStateDescriptor<{ page: string; seen: boolean }>("pages", { version: 2, migrate: (old) => ({ ...(old as { page: string }), seen: false }) }));
      for (let k = 0; k < 4; k++) {
        backend.setCurrentKey(`user-${k}`);
        assert.deepEqual(visits.value(), { count: k + 1, since: 0 });
        assert.equal(pages.get().length, k + 1);
        assert.deepEqual(pages.get()[k], { page: `p${k}`, seen: false });
      }
    });

    it("a descriptor's version must be a positive integer and its migrate a function", () => {
      for (const version of [0, -1, 1.5, Number.NaN, "2" as unknown as number]) {
        assert.throws(() => new ValueStateDescriptor("v", { version }), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && e.message.includes("'v'"));
      }
      assert.throws(() => new ValueStateDescriptor("v", { version: 2, migrate: "yes" as never }), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT");
      assert.equal(new ListStateDescriptor("l").version, 1);
    });
  });
}
