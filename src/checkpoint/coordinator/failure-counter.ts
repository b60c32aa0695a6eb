/**
 * Counts checkpoint failures in a row for the tolerable-failures rule (Flink's
 * CheckpointFailureManager). Owns the count and the ids already counted.
 *
 * Invariants: only reasons that `countsTowardFailureLimit` accepts are counted; each checkpoint
 * counts at most once; a failure of a checkpoint older than the newest completed one is not
 * counted; a completion resets the count; so does exceeding the limit, so that the job restarted
 * after that failure gets a fresh allowance.
 */
import type { CheckpointId } from "../storage/checkpoint-id.ts";
import { countsTowardFailureLimit, type CheckpointFailureReason } from "./failure-reason.ts";

export type FailureCount =
  | { readonly kind: "not-counted" }
  | { readonly kind: "tolerated"; readonly consecutive: number }
  | { readonly kind: "exceeded"; readonly consecutive: number };

export class ConsecutiveFailureCounter {
  private count = 0;
  private readonly counted = new Set<CheckpointId>();
  private newestCompleted = 0;

  constructor(readonly tolerable: number) {}

  /** Failures counted since the last completion (or since the limit was last exceeded). */
  get consecutive(): number {
    return this.count;
  }

  onFailure(id: CheckpointId, reason: CheckpointFailureReason): FailureCount {
    if (!countsTowardFailureLimit(reason) || id <= this.newestCompleted || this.counted.has(id)) return { kind: "not-counted" };
    this.counted.add(id);
    this.count++;
    if (this.count <= this.tolerable) return { kind: "tolerated", consecutive: this.count };
    const consecutive = this.count;
    this.reset();
    return { kind: "exceeded", consecutive };
  }

  onSuccess(id: CheckpointId): void {
    if (id <= this.newestCompleted) return;
    this.newestCompleted = id;
    this.reset();
  }

  private reset(): void {
    this.count = 0;
    this.counted.clear();
  }
}
