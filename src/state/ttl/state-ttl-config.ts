/**
 * Time-to-live of keyed state (Flink's StateTtlConfig): how long a value lives after it was last
 * written (or read, with OnReadAndWrite), whether an expired value may still be returned before
 * it is cleaned up, and how expired values are cleaned up. Time is the processing time of the
 * clock the state backend runs on, in milliseconds.
 *
 * A config is built once and is immutable: `StateTtlConfig.newBuilder(ttlMs)...build()`, then
 * given to a state descriptor with `descriptor.enableTimeToLive(config)`.
 */
import { invalidArgument } from "../../core/errors.ts";

/** When the last-access timestamp of a value is renewed. */
export const UpdateType = {
  /** TTL is off. */
  Disabled: "Disabled",
  /** On creation and on every write. */
  OnCreateAndWrite: "OnCreateAndWrite",
  /** On creation, every write and every read. */
  OnReadAndWrite: "OnReadAndWrite",
} as const;
export type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

/** Whether an expired value that is still stored may be returned. */
export const StateVisibility = {
  /** An expired value is never returned (it is cleaned up when it is read). */
  NeverReturnExpired: "NeverReturnExpired",
  /** An expired value is returned by the read that cleans it up. */
  ReturnExpiredIfNotCleanedUp: "ReturnExpiredIfNotCleanedUp",
} as const;
export type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

/** The time TTL is measured in; only processing time exists, as in Flink. */
export const TtlTimeCharacteristic = { ProcessingTime: "ProcessingTime" } as const;
export type TtlTimeCharacteristic = (typeof TtlTimeCharacteristic)[keyof typeof TtlTimeCharacteristic];

/** How expired values are removed besides being read. */
export interface CleanupStrategies {
  /** Snapshots leave expired values out. Always true: the heap backend filters every snapshot. */
  readonly fullSnapshot: boolean;
  /** Each state access inspects this many stored entries and removes the expired ones; 0 for none. */
  readonly incrementalCleanupSize: number;
  /** As given to `cleanupIncrementally`; cleanup runs on state access either way. */
  readonly runCleanupForEveryRecord: boolean;
}

const DEFAULT_INCREMENTAL_CLEANUP_SIZE = 5;

function checkTtl(ttl: number): number {
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw invalidArgument(`state TTL must be a positive, finite number of milliseconds, got ${String(ttl)}`);
  }
  return ttl;
}

function checkOneOf<T extends string>(what: string, value: T, allowed: Record<string, T>): T {
  const values = Object.values(allowed);
  if (!values.includes(value)) throw invalidArgument(`state TTL ${what} must be one of ${values.join(", ")}, got ${String(value)}`);
  return value;
}

export class StateTtlConfig {
  /** @internal Use `StateTtlConfig.newBuilder(ttlMs)`. */
  constructor(
    private readonly ttl: number,
    private readonly updateType: UpdateType,
    private readonly stateVisibility: StateVisibility,
    private readonly cleanupStrategies: CleanupStrategies,
  ) {}

  /** A builder for a config with time-to-live `ttlMs` (milliseconds, > 0). */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  }

  private static disabled: StateTtlConfig | undefined;

  /** A config that turns TTL off (Flink's `StateTtlConfig.DISABLED`). */
  static get DISABLED(): StateTtlConfig {
    return (StateTtlConfig.disabled ??= StateTtlConfig.newBuilder(Number.MAX_SAFE_INTEGER).setUpdateType(UpdateType.Disabled).build());
  }

  getTtl(): number {
    return this.ttl;
  }

  getUpdateType(): UpdateType {
    return this.updateType;
  }

  getStateVisibility(): StateVisibility {
    return this.stateVisibility;
  }

  getTtlTimeCharacteristic(): TtlTimeCharacteristic {
    return TtlTimeCharacteristic.ProcessingTime;
  }

  getCleanupStrategies(): CleanupStrategies {
    return this.cleanupStrategies;
  }

  isEnabled(): boolean {
    return this.updateType !== UpdateType.Disabled;
  }
}

export class StateTtlConfigBuilder {
  private ttl: number;
  private updateType: UpdateType = UpdateType.OnCreateAndWrite;
  private stateVisibility: StateVisibility = StateVisibility.NeverReturnExpired;
  private incrementalCleanupSize = 0;
  private runCleanupForEveryRecord = false;

  constructor(ttlMs: number) {
    this.ttl = checkTtl(ttlMs);
  }

  setTtl(ttlMs: number): this {
    this.ttl = checkTtl(ttlMs);
    return this;
  }

  setUpdateType(updateType: UpdateType): this {
    this.updateType = checkOneOf("update type", updateType, UpdateType);
    return this;
  }

  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(UpdateType.OnCreateAndWrite);
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(UpdateType.OnReadAndWrite);
  }

  setStateVisibility(visibility: StateVisibility): this {
    this.stateVisibility = checkOneOf("visibility", visibility, StateVisibility);
    return this;
  }

  neverReturnExpired(): this {
    return this.setStateVisibility(StateVisibility.NeverReturnExpired);
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp);
  }

  /** Only processing time exists; any other value is an invalid argument. */
  setTtlTimeCharacteristic(characteristic: TtlTimeCharacteristic): this {
    checkOneOf("time characteristic", characteristic, TtlTimeCharacteristic);
    return this;
  }

  /** Snapshots leave expired values out (the heap backend always does; accepted for Flink jobs). */
  cleanupFullSnapshot(): this {
    return this;
  }

  /**
   * Every access to the state inspects `cleanupSize` more of its stored entries and removes those
   * that expired. `runCleanupForEveryRecord` is accepted for Flink jobs and changes nothing.
   */
  cleanupIncrementally(cleanupSize: number = DEFAULT_INCREMENTAL_CLEANUP_SIZE, runCleanupForEveryRecord = false): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize <= 0) {
      throw invalidArgument(`the incremental cleanup size of state TTL must be a positive integer, got ${String(cleanupSize)}`);
    }
    this.incrementalCleanupSize = cleanupSize;
    this.runCleanupForEveryRecord = runCleanupForEveryRecord === true;
    return this;
  }

  /** Accepted for Flink jobs: the heap backend has no compaction, and cleans up as configured otherwise. */
  cleanupInRocksdbCompactFilter(queryTimeAfterNumEntries = 1000): this {
    if (!Number.isInteger(queryTimeAfterNumEntries) || queryTimeAfterNumEntries <= 0) {
      throw invalidArgument(`the compaction-filter query interval of state TTL must be a positive integer, got ${String(queryTimeAfterNumEntries)}`);
    }
    return this;
  }

  /** Expired values are still removed when read and left out of snapshots. */
  disableCleanupInBackground(): this {
    this.incrementalCleanupSize = 0;
    this.runCleanupForEveryRecord = false;
    return this;
  }

  build(): StateTtlConfig {
    return new StateTtlConfig(this.ttl, this.updateType, this.stateVisibility, {
      fullSnapshot: true,
      incrementalCleanupSize: this.incrementalCleanupSize,
      runCleanupForEveryRecord: this.runCleanupForEveryRecord,
    });
  }
}
