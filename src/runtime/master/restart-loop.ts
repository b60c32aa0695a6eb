/**
 * What follows an attempt that failed: a pure decision from the error's code (see `isRetryable`
 * in the error registry) and the restart strategy, and the wait before a restart.
 */
import { isRetryableError, WeirError } from "../../core/errors.ts";
import type { RestartStrategy } from "../../recovery/restart-strategy.ts";

export type AfterFailure = { readonly kind: "restart"; readonly delayMs: number } | { readonly kind: "fail"; readonly error: Error };

/**
 * A failure a restart cannot mend fails the job with its own error. Otherwise the strategy
 * decides; when it refuses, the job fails with WEIR_ERR_RESTARTS_EXHAUSTED, except with no
 * restart strategy at all (`hasRestartStrategy` false), where the failure itself is the job's error.
 */
export function decideAfterFailure(error: Error, strategy: RestartStrategy, now: number, hasRestartStrategy: boolean): AfterFailure {
  if (!isRetryableError(error)) return { kind: "fail", error };
  const decision = strategy.onFailure(now, { cause: error });
  if (decision.kind === "restart") return { kind: "restart", delayMs: decision.delayMs };
  if (!hasRestartStrategy) return { kind: "fail", error };
  return { kind: "fail", error: new WeirError("WEIR_ERR_RESTARTS_EXHAUSTED", `${error.message} (not restarted: ${decision.reason})`, { cause: error }) };
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
