/** Assertion helpers for the typed errors of windowing. */
import assert from "node:assert/strict";
import { WeirError } from "../../src/core/errors.ts";

export function isWindowError(code: "WEIR_ERR_INVALID_WINDOW" | "WEIR_ERR_MISSING_TIMESTAMP", ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WeirError, `expected a WeirError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  };
}
