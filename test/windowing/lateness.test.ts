import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkAllowedLateness, cleanupTime, isElementLate, isWindowLate } from "../../src/windowing/lateness.ts";
import { GlobalWindow, MAX_TIMESTAMP, TimeWindow } from "../../src/windowing/windows.ts";
import { isWindowError } from "./windowing-errors.ts";

const window = new TimeWindow(0, 1000); // max timestamp 999

describe("allowed lateness", () => {
  it("without lateness, a window is late once the watermark reaches its max timestamp", () => {
    assert.equal(isWindowLate(window, 0, 998, true), false);
    assert.equal(isWindowLate(window, 0, 999, true), true);
  });

  it("with lateness, a window stays until the watermark reaches max timestamp + lateness", () => {
    assert.equal(isWindowLate(window, 500, 999, true), false, "fired, but still accepting late elements");
    assert.equal(isWindowLate(window, 500, 1498, true), false);
    assert.equal(isWindowLate(window, 500, 1499, true), true);
    assert.equal(cleanupTime(window, 500, true), 1499);
  });

  it("an element is late when its timestamp plus the lateness is at or below the watermark", () => {
    assert.equal(isElementLate(500, 0, 499, true), false);
    assert.equal(isElementLate(500, 0, 500, true), true);
    assert.equal(isElementLate(500, 100, 599, true), false);
    assert.equal(isElementLate(500, 100, 600, true), true);
  });

  it("processing-time windows and elements are never late; their cleanup time is the window's end", () => {
    assert.equal(isWindowLate(window, 0, MAX_TIMESTAMP, false), false);
    assert.equal(isElementLate(0, 0, MAX_TIMESTAMP, false), false);
    assert.equal(cleanupTime(window, 500, false), 999);
  });

  it("the cleanup time of the global window never passes the largest timestamp", () => {
    assert.equal(cleanupTime(GlobalWindow.get(), 10_000, true), MAX_TIMESTAMP);
  });

  it("refuses a negative or non-finite lateness", () => {
    assert.equal(checkAllowedLateness(0), 0);
    assert.throws(() => checkAllowedLateness(-1), isWindowError("WEIR_ERR_INVALID_WINDOW", "allowedLateness", "-1"));
    assert.throws(() => checkAllowedLateness(Number.NaN), isWindowError("WEIR_ERR_INVALID_WINDOW", "allowedLateness"));
  });
});
