// Running Weir from a checkout of its repository rather than from the installed package: the
// TypeScript sources under src/ are loaded directly. `enterSourceMode` must run on every thread that
// loads Weir (the main thread in bin/weir.js, each worker in worker-boot.mjs), since module hooks
// are per thread.
import { existsSync } from "node:fs";
import { register } from "node:module";

/** Whether this is a checkout of the repository (the published package ships dist/ and no src/). */
export function isSourceCheckout() {
  return existsSync(new URL("../src/index.ts", import.meta.url));
}

/** Registers the TypeScript loader and the source condition on the calling thread. */
export async function enterSourceMode() {
  const { register: registerTypeScript } = await import("tsx/esm/api");
  register("./source-condition.mjs", import.meta.url);
  registerTypeScript();
  // Tells the job loader (src/api/job-module.ts) that TypeScript loads on this thread already.
  globalThis[Symbol.for("weir.typescript-loader")] = Promise.resolve();
}
