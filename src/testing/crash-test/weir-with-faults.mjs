// The `weir` command with the fault plan in WEIR_FAULTS installed: what the crash-test kit runs as
// a child process for faults that kill the process. Worker threads install the plan through the
// hooks' worker module.
import { register } from "tsx/esm/api";

register();
await import("../install-faults.ts");
const { main } = await import("../../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
