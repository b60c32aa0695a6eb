/**
 * Checks of the numbers windows are defined with, made when the job is built: each names the
 * window and the parameter, and throws WEIR_ERR_INVALID_WINDOW.
 */
import { WeirError } from "../core/errors.ts";

export function invalidWindow(message: string): WeirError {
  return new WeirError("WEIR_ERR_INVALID_WINDOW", message);
}

function checkFinite(owner: string, parameter: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidWindow(`${owner}: ${parameter} must be a finite number of milliseconds, got ${String(value)}`);
}

/** A size, slide, gap or interval: a finite number above 0. */
export function checkPositive(owner: string, parameter: string, value: number): number {
  checkFinite(owner, parameter, value);
  if (value <= 0) throw invalidWindow(`${owner}: ${parameter} must be above 0 ms, got ${value}`);
  return value;
}

/** A count: an integer above 0. */
export function checkCount(owner: string, parameter: string, value: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw invalidWindow(`${owner}: ${parameter} must be an integer above 0, got ${String(value)}`);
  return value;
}

/** A duration that may be 0: a finite number not below 0. */
export function checkNotNegative(owner: string, parameter: string, value: number): number {
  checkFinite(owner, parameter, value);
  if (value < 0) throw invalidWindow(`${owner}: ${parameter} must not be negative, got ${value} ms`);
  return value;
}

/** An offset: finite, with a magnitude below `bound` (the window size, or the slide of sliding windows). */
export function checkOffset(owner: string, offset: number, boundName: string, bound: number): number {
  checkFinite(owner, "offset", offset);
  if (Math.abs(offset) >= bound) throw invalidWindow(`${owner}: the offset's magnitude must be below the ${boundName} (${bound} ms), got offset ${offset} ms`);
  return offset;
}
