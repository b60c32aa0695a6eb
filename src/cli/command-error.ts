/** How a command other than `weir run` reports an error on standard error: its message, then its code. */
import { WeirError } from "../core/errors.ts";

export function describeCommandError(error: unknown): string {
  if (!(error instanceof WeirError)) return `${error instanceof Error ? error.message : String(error)}\n`;
  return `${error.message}\n  code: ${error.code} (see docs/errors.md)\n`;
}
