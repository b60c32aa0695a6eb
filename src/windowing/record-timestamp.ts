/** The timestamp event-time window logic needs from a record, refused with WEIR_ERR_MISSING_TIMESTAMP when the record has none. */
import { WeirError } from "../core/errors.ts";

export function requireTimestamp(owner: string, timestamp: number | undefined): number {
  if (typeof timestamp === "number" && Number.isFinite(timestamp)) return timestamp;
  throw new WeirError(
    "WEIR_ERR_MISSING_TIMESTAMP",
    `${owner}: a record has no timestamp (got ${String(timestamp)}); event-time windows need timestamps assigned before the window, or use the processing-time variant`,
  );
}
