/**
 * The heap backend's changes snapshot (FLIP-158's state changelog, per key group): the entries of
 * the keys that changed since the previous changes snapshot, as they were when this one was taken,
 * and the keys removed since. Applied in order over the full snapshot a chain starts from (see
 * state/changelog-chain.ts), it gives the state as of this snapshot.
 *
 * Format "WKD1": the header of keyed snapshot format 3 (see heap-snapshot.ts), then one section
 * per key group with changes: u32 key group, u32 length, body. Body (MessagePack):
 * [[stateIndex, flatPuts, removedKeys], ...], where flatPuts is format 3's flat entries and
 * removedKeys the value-codec slots of keys whose entries go: keys removed since, and for a
 * namespaced state every changed key, whose namespaces the puts then give anew.
 *
 * Guarantee: as every keyed snapshot's (see KeyedStateSnapshot), the bytes show the changes as of
 * `snapshotChanges()`, whatever the task does meanwhile: the tables are frozen then (copy-on-write
 * per entry); key groups without changes are released at once, so they cost the live state nothing.
 */
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import { plainPackr, toSlot } from "../../core/value-codec.ts";
import type { StateKind } from "../descriptors.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import { assembleSnapshot, describeEntry, flatten, MAGIC_CHANGES, PairBuffers, snapshotHeader } from "./heap-snapshot.ts";
import type { FrozenChanges } from "./state-table.ts";

export interface ChangedState {
  readonly name: string;
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly version: number;
  readonly changes: FrozenChanges;
  /** What a stored value is written as (TTL: without its expired parts); undefined writes the key as removed. */
  readonly filter?: ((stored: unknown) => unknown) | undefined;
}

/**
 * A step of writing ends once about this many changed keys were written since the previous one:
 * each step gives the task a turn to process records, which costs more than a key group with a
 * few changes does, and a checkpoint's asynchronous phase lasts as many turns as it has steps (on
 * a busy machine a turn can take milliseconds of waiting for a core). A changed key whose value
 * was a primitive costs tens of nanoseconds (its value comes from the change set), so a step of
 * this many takes a few milliseconds; objects, read from the frozen table, cost more.
 */
const KEYS_PER_STEP = 16_384;

export class HeapChangesSnapshot implements KeyedStateSnapshot {
  /** Key groups (by position) some state changed in and not yet released. */
  private readonly held: Uint8Array;

  constructor(
    private readonly range: KeyGroupRange,
    private readonly maxParallelism: number,
    private readonly states: readonly ChangedState[],
  ) {
    this.held = new Uint8Array(range.end - range.start + 1);
    for (let i = 0; i < this.held.length; i++) {
      if (states.some((s) => s.changes.changed(i))) this.held[i] = 1;
      else for (const state of states) state.changes.release(i);
    }
  }

  *write(): Generator<void, Uint8Array, void> {
    const header = snapshotHeader(this.range, this.maxParallelism, this.states);
    const groups: number[] = [];
    const bodies: Uint8Array[] = [];
    const buffers = this.states.map(() => new PairBuffers());
    let keysInStep = 0;
    for (let index = 0; index < this.held.length; index++) {
      if (this.held[index] === 0) continue;
      const body: [number, unknown[] | Int32Array | Float64Array, unknown[]][] = [];
      for (let s = 0; s < this.states.length; s++) {
        const state = this.states[s]!;
        if (!state.changes.changed(index)) continue;
        const keys: NormalizedKey[] = [];
        const values: unknown[] = [];
        const removed: unknown[] = [];
        const remove = (key: NormalizedKey): void => {
          removed.push(toSlot(key, () => describeEntry(state, key, ", the key itself,")));
        };
        state.changes.forEachChange(
          index,
          (stored, key) => {
            const value = state.filter === undefined ? stored : state.filter(stored);
            if (value === undefined) return remove(key);
            keys.push(key);
            values.push(value);
          },
          remove,
        );
        keysInStep += keys.length + removed.length;
        const puts = {
          sizeBound: keys.length,
          forEach: (visit: (value: unknown, key: NormalizedKey) => void) => {
            for (let i = 0; i < keys.length; i++) visit(values[i], keys[i]);
          },
        };
        const flat = flatten({ name: state.name, kind: state.kind, namespaced: state.namespaced, filter: undefined }, puts, buffers[s]!);
        if (flat.length > 0 || removed.length > 0) body.push([s, flat, removed]);
      }
      // Packed before the release: a body is a view of the buffers, reused by the next group.
      const bytes = body.length === 0 ? undefined : plainPackr.pack(body);
      for (const b of buffers) b.forget();
      this.releaseGroup(index);
      if (bytes === undefined) continue;
      groups.push(this.range.start + index);
      bodies.push(bytes);
      if (keysInStep < KEYS_PER_STEP) continue;
      keysInStep = 0;
      yield;
    }
    return assembleSnapshot(MAGIC_CHANGES, header, groups, bodies);
  }

  release(): void {
    for (let i = 0; i < this.held.length; i++) this.releaseGroup(i);
  }

  private releaseGroup(index: number): void {
    if (this.held[index] === 0) return;
    this.held[index] = 0;
    for (const state of this.states) state.changes.release(index);
  }
}
