// The `weir` command with the fault plan in WEIR_FAULTS installed: what the crash-test kit runs as
// a child process for faults that kill the process. Worker threads install the plan through the
// hooks' worker module. Like bin/weir.js, it runs the TypeScript sources in a checkout of the
// repository ("weir" resolving to them) and the compiled JavaScript in the installed package,
// where the job loader brings in tsx for a TypeScript job. The `.ts` specifiers below become `.js`
// when compiled.
import { existsSync } from "node:fs";

if (existsSync(new URL("./crash-test.ts", import.meta.url))) {
  const { enterSourceMode } = await import(new URL("../../../bin/source-checkout.mjs", import.meta.url).href);
  await enterSourceMode();
}
await import("../install-faults.ts");
const { main } = await import("../../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
