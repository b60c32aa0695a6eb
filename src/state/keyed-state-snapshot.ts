/**
 * A snapshot of a keyed state backend, as the task's checkpointing sees it: taken cheaply in the
 * synchronous phase (`KeyedStateBackend.snapshot()`), then written out step by step in the
 * asynchronous phase while records keep changing the live state, and released.
 *
 * Guarantee: the bytes show the state exactly as it was when `snapshot()` returned, whatever the
 * task does to the state, and to values taken from it, in the meantime.
 */
export interface KeyedStateSnapshot {
  /** Encodes the state one part (a key group) per step; the generator's result is the bytes. */
  write(): Generator<void, Uint8Array, void>;
  /**
   * The snapshot is no longer needed (written or aborted); idempotent. Until then it may keep
   * the live state paying for copy-on-write, so release it as soon as possible.
   */
  release(): void;
}
