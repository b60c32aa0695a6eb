// The checkpoint I/O thread starts here (see io-thread-volume.ts). As in worker-boot.mjs, a thread
// running from the sources of a checkout registers the TypeScript loader first. The `.ts`
// specifier below becomes `.js` when compiled.
import { existsSync } from "node:fs";

if (existsSync(new URL("./io-thread-main.ts", import.meta.url))) {
  const { enterSourceMode } = await import(new URL("../../../bin/source-checkout.mjs", import.meta.url).href);
  await enterSourceMode();
}
await import("./io-thread-main.ts");
