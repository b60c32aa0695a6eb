// Worker threads start here. Module hooks are per thread, so a worker running from the sources of
// a checkout registers the TypeScript loader and the source condition as bin/weir.js does; compiled
// (dist/), it loads plain JavaScript, and the job loader brings in tsx only for a TypeScript job.
// The `.ts` specifier below becomes `.js` when compiled.
import { existsSync } from "node:fs";

if (existsSync(new URL("./worker-main.ts", import.meta.url))) {
  const { enterSourceMode } = await import(new URL("../../../bin/source-checkout.mjs", import.meta.url).href);
  await enterSourceMode();
}
await import("./worker-main.ts");
