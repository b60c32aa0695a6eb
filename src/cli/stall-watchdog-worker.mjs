// The watchdog thread of StallWatchdog (stall-watchdog.ts): it watches the heartbeat the main
// thread's event loop keeps, and when that has not moved for `stallMs`, has the main thread, through
// an inspector session (whose messages interrupt even a thread stuck in a loop), hand the
// termination signals back to their default action. Plain JavaScript: it runs without a loader.
import { Session } from "node:inspector";
import { setInterval } from "node:timers";
import { workerData } from "node:worker_threads";

const { heartbeat, checkMs, stallMs, releaseExpression } = workerData;
const beats = new Int32Array(heartbeat);
const session = new Session();
session.connectToMainThread();

let last = Atomics.load(beats, 0);
let still = 0;
let released = false;
setInterval(() => {
  const now = Atomics.load(beats, 0);
  if (now !== last) {
    last = now;
    still = 0;
    released = false;
    return;
  }
  still += checkMs;
  if (still >= stallMs && !released) {
    released = true;
    session.post("Runtime.evaluate", { expression: releaseExpression });
  }
}, checkMs);
