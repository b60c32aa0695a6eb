#!/usr/bin/env node
// Entry point of the `weir` command. The installed package runs its compiled JavaScript (dist/),
// which loads TypeScript job files through tsx on demand; a checkout of the repository (src/
// present) runs the TypeScript sources directly, with "weir" resolved to them, so it needs no build.
import { enterSourceMode, isSourceCheckout } from "./source-checkout.mjs";

let main;
if (isSourceCheckout()) {
  await enterSourceMode();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  ({ main } = await import("../dist/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
