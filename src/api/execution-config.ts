/**
 * The job's execution settings: parallelism, key groups, batching between tasks, object reuse,
 * and the period of watermark generation. `env.getConfig()` returns the environment's ExecutionConfig (Flink's name); the command
 * line and run options give defaults that a job's own settings override.
 */
import { availableParallelism } from "node:os";
import { invalidArgument } from "../core/errors.ts";
import { DEFAULT_MAX_PARALLELISM } from "../core/key-groups.ts";
import { BUFFER_DEBLOAT_DEFAULTS } from "../runtime/network/buffer-debloater.ts";
import { DEFAULT_STATE_BACKEND, type StateBackendName } from "../state/state-backends.ts";

export interface EnvironmentConfig {
  /** Default parallelism of every operator that does not set its own. */
  parallelism: number;
  /** Number of key groups: the upper bound for any operator's parallelism. */
  maxParallelism: number;
  /** Records per batch sent between tasks. */
  bufferSize: number;
  /** A batch that is not full is sent after this many milliseconds; 0 sends after every processed batch. */
  bufferTimeoutMs: number;
  /**
   * Buffer debloating (Flink's `taskmanager.network.memory.buffer-debloat.enabled`): each task sizes
   * the batches sent to it so that the records in flight towards it take about
   * `bufferDebloatTargetMs` to process. Off by default.
   */
  bufferDebloat: boolean;
  /** With buffer debloating: how long the records in flight should take to process (Flink's `buffer-debloat.target`). */
  bufferDebloatTargetMs: number;
  /**
   * Records and emitted state values are shared between operators instead of copied where one
   * could change another's (docs/records-and-state.md). Off by default.
   */
  objectReuse: boolean;
  /** Where keyed state lives: the name of a registered keyed state backend (src/state/state-backends.ts). */
  stateBackend: StateBackendName;
  /** Where an on-disk state backend makes its working directories; the system's temp dir when undefined. */
  localStateDirectory: string | undefined;
  /**
   * Incremental checkpoints: keyed state backends keep a changelog and each checkpoint writes only
   * what changed since the previous one (see docs/state.md); undefined takes the backend's default
   * (off for "heap", on for "disk").
   */
  incrementalCheckpoints: boolean | undefined;
  /** Milliseconds between periodic watermarks of every watermark generator; 0 emits none periodically. */
  autoWatermarkInterval: number;
}

/** Flink's default period of watermark generation. */
export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

export function defaultEnvironmentConfig(): EnvironmentConfig {
  return {
    parallelism: availableParallelism(),
    maxParallelism: DEFAULT_MAX_PARALLELISM,
    bufferSize: 1024,
    bufferTimeoutMs: 100,
    bufferDebloat: false,
    bufferDebloatTargetMs: BUFFER_DEBLOAT_DEFAULTS.targetMs,
    objectReuse: false,
    stateBackend: DEFAULT_STATE_BACKEND,
    localStateDirectory: undefined,
    incrementalCheckpoints: undefined,
    autoWatermarkInterval: DEFAULT_AUTO_WATERMARK_INTERVAL_MS,
  };
}

export function checkParallelism(parallelism: number, what: string): void {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw invalidArgument(`${what} must be a positive integer, got ${parallelism}`);
  }
}

/** The settings object of one environment; its fields are the resolved configuration. */
export class ExecutionConfig implements EnvironmentConfig {
  parallelism: number;
  maxParallelism: number;
  bufferSize: number;
  bufferTimeoutMs: number;
  bufferDebloat: boolean;
  bufferDebloatTargetMs: number;
  objectReuse: boolean;
  stateBackend: StateBackendName;
  localStateDirectory: string | undefined;
  incrementalCheckpoints: boolean | undefined;
  autoWatermarkInterval: number;

  constructor(config: EnvironmentConfig) {
    this.parallelism = config.parallelism;
    this.maxParallelism = config.maxParallelism;
    this.bufferSize = config.bufferSize;
    this.bufferTimeoutMs = config.bufferTimeoutMs;
    this.bufferDebloat = config.bufferDebloat;
    this.bufferDebloatTargetMs = config.bufferDebloatTargetMs;
    this.objectReuse = config.objectReuse;
    this.stateBackend = config.stateBackend;
    this.localStateDirectory = config.localStateDirectory;
    this.incrementalCheckpoints = config.incrementalCheckpoints;
    this.autoWatermarkInterval = config.autoWatermarkInterval;
  }

  /**
   * How often watermark generators emit periodic watermarks, in milliseconds of processing time
   * (200 by default); 0 turns periodic watermarks off (punctuated ones and the final watermark remain).
   */
  setAutoWatermarkInterval(intervalMs: number): this {
    if (typeof intervalMs !== "number" || !Number.isFinite(intervalMs) || intervalMs < 0) {
      throw invalidArgument(`the auto-watermark interval must be zero or more milliseconds, got ${String(intervalMs)}`);
    }
    this.autoWatermarkInterval = intervalMs;
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }

  /**
   * Operators hand records on without copying them, for speed. The job then keeps a contract
   * itself: no function changes a record it received or emitted, nor a state value it emitted.
   */
  enableObjectReuse(): this {
    this.objectReuse = true;
    return this;
  }

  /** Every operator gets records of its own (the default). */
  disableObjectReuse(): this {
    this.objectReuse = false;
    return this;
  }

  isObjectReuseEnabled(): boolean {
    return this.objectReuse;
  }
}
