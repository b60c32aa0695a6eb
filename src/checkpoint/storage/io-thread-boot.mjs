// The checkpoint I/O thread starts here (see io-thread-volume.ts). The `.ts` specifier below
// becomes `.js` when compiled. Running from the sources of a checkout, the thread's few modules
// are bundled into one plain module first, which loads in milliseconds: registering the TypeScript
// loader, as worker-boot.mjs does, took this thread 10 s on a loaded machine, and until it is up
// its task thread writes the checkpoint files itself. Where the bundler cannot be loaded, the
// loader is registered after all.
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

async function bundled(entry) {
  let build;
  try {
    ({ build } = await import("esbuild"));
  } catch {
    return undefined;
  }
  const { outputFiles } = await build({ entryPoints: [fileURLToPath(entry)], bundle: true, platform: "node", format: "esm", write: false, logLevel: "silent" });
  return `data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString("base64")}`;
}

const source = new URL("./io-thread-main.ts", import.meta.url);
const module = existsSync(source) ? await bundled(source) : undefined;
if (module !== undefined) await import(module);
else {
  if (existsSync(source)) {
    const { enterSourceMode } = await import(new URL("../../../bin/source-checkout.mjs", import.meta.url).href);
    await enterSourceMode();
  }
  await import("./io-thread-main.ts");
}
