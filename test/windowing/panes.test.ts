import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PaneLayout, PanePosition } from "../../src/windowing/panes.ts";

describe("PanePosition", () => {
  it("gives, for every time, the answers of the layout, whether times come in order, back in time or far apart", () => {
    // 10 s windows every 4 s shifted by 1 s: 2 s panes starting at odd seconds.
    const layout = PaneLayout.of(10_000, 4_000, 1_000)!;
    const position = new PanePosition(layout);
    const times = [0, 999, 1_000, 1_001, 2_999, 3_000, 3_000, 2_500, -1, -2_001, -2_000, 17_000, 16_999, 1_000_000_000_001, 1_000_000_000_000];
    for (const time of times) {
      position.at(time);
      const expected = { paneStart: layout.paneStart(time), lastWindowStart: layout.lastWindowStart(time), firstWindowEnd: layout.firstWindowEnd(time) };
      assert.deepEqual({ paneStart: position.paneStart, lastWindowStart: position.lastWindowStart, firstWindowEnd: position.firstWindowEnd }, expected, `time ${time}`);
      assert.equal(position.paneEnd, position.paneStart + layout.paneSize, `time ${time}`);
    }
  });
});
