/**
 * TTL as a layer over any backend's state kinds (the idea of Flink's TtlStateFactory): each TTL
 * state wraps a state of the same kind whose values are TtlValue wrappers, and decides expiry,
 * visibility and timestamp renewal; the wrapped state keeps its own guarantees (for the heap
 * backend: copy-on-write per entry against live snapshots, which copies a wrapper together with
 * the user's value in it). A wrapper read from the wrapped state is the state's own to change,
 * so renewing its timestamp in place on a read is safe.
 *
 * Rules, per value (a list element, a map entry): a value expired when read is removed from the
 * state by that read, and returned only with ReturnExpiredIfNotCleanedUp; with OnReadAndWrite a
 * read of an unexpired value renews its timestamp. Reducing and aggregating state start afresh on
 * `add` when their value expired.
 */
import type { AggregateFunction, ReduceFn } from "../descriptors.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state.ts";
import { StateVisibility, UpdateType, type StateTtlConfig } from "./state-ttl-config.ts";
import { isExpired, ttlValue, type TtlValue } from "./ttl-value.ts";

/** What every TTL state runs with: its config, the time, and a cleanup step run on each access. */
export interface TtlContext {
  readonly config: StateTtlConfig;
  now(): number;
  /** Removes some expired entries of the whole state (incremental cleanup); may do nothing. */
  cleanupStep(): void;
  /**
   * The wrapped state's reads are copies (the disk backend), so a timestamp renewed on a read
   * must be written back to last; absent or false when reads hand out the state's own objects.
   */
  readonly readsAreCopies?: boolean;
}

/** A wrapped reducing or aggregating state whose stored value can be replaced (Flink's InternalAppendingState.updateInternal). */
export interface InternalAppendingState<T> {
  updateInternal(value: T): void;
}

/** Decisions shared by every TTL state kind. */
class TtlRules {
  readonly ttl: number;
  readonly returnExpired: boolean;
  readonly renewOnRead: boolean;
  /** A renewal on read must be written back (see TtlContext.readsAreCopies). */
  readonly writeBack: boolean;

  constructor(private readonly context: TtlContext) {
    const config = context.config;
    this.ttl = config.getTtl();
    this.returnExpired = config.getStateVisibility() === StateVisibility.ReturnExpiredIfNotCleanedUp;
    this.renewOnRead = config.getUpdateType() === UpdateType.OnReadAndWrite;
    this.writeBack = this.renewOnRead && context.readsAreCopies === true;
  }

  /** Runs the incremental cleanup step and gives the time of this access. */
  access(): number {
    this.context.cleanupStep();
    return this.context.now();
  }

  now(): number {
    return this.context.now();
  }

  expired(value: TtlValue<unknown>, now: number): boolean {
    return isExpired(value, this.ttl, now);
  }

  /** Renews `value` on a read when the config asks for it; `value` must be the state's own. */
  read(value: TtlValue<unknown>, now: number): void {
    if (this.renewOnRead) value.lastAccessTimestamp = now;
  }
}

/** A single wrapped value (value, reducing, aggregating state): the user's value as a read sees it. */
function readSingle<T>(rules: TtlRules, wrapped: TtlValue<T> | undefined, now: number, clear: () => void, writeBack: (renewed: TtlValue<T>) => void): T | undefined {
  if (wrapped === undefined) return undefined;
  if (rules.expired(wrapped, now)) {
    clear();
    return rules.returnExpired ? wrapped.userValue : undefined;
  }
  rules.read(wrapped, now);
  if (rules.writeBack) writeBack(wrapped);
  return wrapped.userValue;
}

/** What every TTL state has: the wrapped state, the rules, and `clear`. */
abstract class TtlState<S extends State> {
  protected readonly rules: TtlRules;

  constructor(
    protected readonly inner: S,
    context: TtlContext,
  ) {
    this.rules = new TtlRules(context);
  }

  clear(): void {
    this.rules.access();
    this.inner.clear();
  }

  /** The user's value of a state that holds one wrapped value, cleared when expired. */
  protected readSingleValue<T>(read: (inner: S) => TtlValue<T> | undefined, writeBack: (inner: S, renewed: TtlValue<T>) => void): T | undefined {
    const now = this.rules.access();
    return readSingle(this.rules, read(this.inner), now, () => this.inner.clear(), (renewed) => writeBack(this.inner, renewed));
  }
}

export class TtlValueState<T> extends TtlState<ValueState<TtlValue<T>>> implements ValueState<T> {
  value(): T | undefined {
    return this.readSingleValue(
      (inner) => inner.value(),
      (inner, renewed) => inner.update(renewed),
    );
  }

  update(value: T): void {
    const now = this.rules.access();
    if (value === undefined) this.inner.clear();
    else this.inner.update(ttlValue(value, now));
  }
}

export class TtlListState<T> extends TtlState<ListState<TtlValue<T>>> implements ListState<T> {
  get(): readonly T[] {
    const now = this.rules.access();
    const stored = this.inner.get();
    const visible: T[] = [];
    const kept: TtlValue<T>[] = [];
    for (const element of stored) {
      if (this.rules.expired(element, now)) {
        if (this.rules.returnExpired) visible.push(element.userValue);
        continue;
      }
      this.rules.read(element, now);
      kept.push(element);
      visible.push(element.userValue);
    }
    if (kept.length < stored.length || (this.rules.writeBack && kept.length > 0)) this.inner.update(kept);
    return visible;
  }

  add(value: T): void {
    this.inner.add(ttlValue(value, this.rules.access()));
  }

  addAll(values: Iterable<T>): void {
    const now = this.rules.access();
    this.inner.addAll(Array.from(values, (v) => ttlValue(v, now)));
  }

  update(values: Iterable<T>): void {
    const now = this.rules.access();
    this.inner.update(Array.from(values, (v) => ttlValue(v, now)));
  }
}

export class TtlMapState<K, V> extends TtlState<MapState<K, TtlValue<V>>> implements MapState<K, V> {
  get(key: K): V | undefined {
    const now = this.rules.access();
    return readSingle(
      this.rules,
      this.inner.get(key),
      now,
      () => this.inner.remove(key),
      (renewed) => this.inner.put(key, renewed),
    );
  }

  put(key: K, value: V): void {
    this.inner.put(key, ttlValue(value, this.rules.access()));
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    const now = this.rules.access();
    for (const [key, value] of entries) this.inner.put(key, ttlValue(value, now));
  }

  remove(key: K): void {
    this.rules.access();
    this.inner.remove(key);
  }

  contains(key: K): boolean {
    const now = this.rules.access();
    const wrapped = this.inner.get(key);
    if (wrapped === undefined) return false;
    if (!this.rules.expired(wrapped, now)) return true;
    this.inner.remove(key);
    return this.rules.returnExpired;
  }

  /** The visible entries, read at once: expired ones are removed before the caller iterates. */
  entries(): IterableIterator<[K, V]> {
    const now = this.rules.access();
    const visible: [K, V][] = [];
    const expired: K[] = [];
    const renewed: [K, TtlValue<V>][] = [];
    for (const [key, wrapped] of this.inner.entries()) {
      if (this.rules.expired(wrapped, now)) {
        expired.push(key);
        if (this.rules.returnExpired) visible.push([key, wrapped.userValue]);
        continue;
      }
      this.rules.read(wrapped, now);
      if (this.rules.writeBack) renewed.push([key, wrapped]);
      visible.push([key, wrapped.userValue]);
    }
    for (const key of expired) this.inner.remove(key);
    if (renewed.length > 0) this.inner.putAll(renewed);
    return visible[Symbol.iterator]();
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  isEmpty(): boolean {
    const now = this.rules.access();
    for (const [, wrapped] of this.inner.entries()) if (!this.rules.expired(wrapped, now)) return false;
    this.inner.clear();
    return true;
  }
}

/**
 * The reduce function of the wrapped reducing state: an expired accumulated value is dropped, so
 * the fold starts again from the value added.
 */
export function ttlReduce<T>(reduce: ReduceFn<T>, context: TtlContext): ReduceFn<TtlValue<T>> {
  const ttl = context.config.getTtl();
  return (accumulated, value) => {
    const now = value.lastAccessTimestamp;
    return isExpired(accumulated, ttl, now) ? value : ttlValue(reduce(accumulated.userValue, value.userValue), now);
  };
}

export class TtlReducingState<T> extends TtlState<ReducingState<TtlValue<T>>> implements ReducingState<T> {
  get(): T | undefined {
    return this.readSingleValue(
      (inner) => inner.get(),
      (inner, renewed) => (inner as unknown as InternalAppendingState<TtlValue<T>>).updateInternal(renewed),
    );
  }

  add(value: T): void {
    this.inner.add(ttlValue(value, this.rules.access()));
  }
}

/**
 * The aggregate function of the wrapped aggregating state: accumulators are wrapped, an expired
 * one is replaced by a new accumulator on `add`, and `getResult` hands the wrapper itself to
 * TtlAggregatingState, which decides expiry before it applies the user's `getResult`.
 */
export function ttlAggregate<IN, ACC>(aggregate: AggregateFunction<IN, ACC, unknown>, context: TtlContext): AggregateFunction<IN, TtlValue<ACC>, TtlValue<ACC>> {
  const ttl = context.config.getTtl();
  return {
    createAccumulator: () => ttlValue(aggregate.createAccumulator(), context.now()),
    add: (value, accumulator) => {
      const now = context.now();
      const current = isExpired(accumulator, ttl, now) ? aggregate.createAccumulator() : accumulator.userValue;
      return ttlValue(aggregate.add(value, current), now);
    },
    getResult: (accumulator) => accumulator,
  };
}

export class TtlAggregatingState<IN, ACC, OUT> extends TtlState<AggregatingState<IN, TtlValue<ACC>>> implements AggregatingState<IN, OUT> {
  constructor(
    inner: AggregatingState<IN, TtlValue<ACC>>,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
    context: TtlContext,
  ) {
    super(inner, context);
  }

  get(): OUT | undefined {
    const accumulator = this.readSingleValue(
      (inner) => inner.get(),
      (inner, renewed) => (inner as unknown as InternalAppendingState<TtlValue<ACC>>).updateInternal(renewed),
    );
    return accumulator === undefined ? undefined : this.aggregate.getResult(accumulator);
  }

  add(value: IN): void {
    this.rules.access();
    this.inner.add(value);
  }
}
