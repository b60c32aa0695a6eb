/**
 * Loads a job file: a module whose default export was made by defineJob. A TypeScript job file is
 * loaded through tsx, registered on the calling thread the first time one is loaded, so that the
 * compiled package runs TypeScript jobs without a loader given on the command line.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { JobModuleError } from "../core/errors.ts";
import { isJobDefinition, type JobDefinition } from "./define-job.ts";
import { moduleLoadFailure } from "./module-load-failure.ts";

const TYPESCRIPT_FILE = /\.(?:ts|mts|cts|tsx)$/;
/**
 * Set on a thread's globalThis once tsx is registered there (also by bin/source-checkout.mjs), so
 * that it is registered once per thread: a resolved promise, or the registration in progress.
 */
const TYPESCRIPT_LOADER = Symbol.for("weir.typescript-loader");

async function ensureTypeScriptLoader(url: string): Promise<void> {
  if (!TYPESCRIPT_FILE.test(new URL(url).pathname)) return;
  const slot = globalThis as { [TYPESCRIPT_LOADER]?: Promise<void> };
  slot[TYPESCRIPT_LOADER] ??= import("tsx/esm/api").then((tsx) => {
    tsx.register();
  });
  await slot[TYPESCRIPT_LOADER];
}

/** A job module as a file URL, from a path (relative to the working directory) or a URL. */
export function jobModuleUrl(path: string | URL): string {
  if (path instanceof URL) return path.href;
  if (path.startsWith("file:")) return path;
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new JobModuleError(path, `job file '${path}' does not exist`);
  return pathToFileURL(absolute).href;
}

/** Imports the module at `url`; errors name the file as `displayPath` (the path the user gave), or else by its URL. */
export async function loadJobModule(url: string, displayPath: string = url): Promise<JobDefinition> {
  let module: Record<string, unknown>;
  await ensureTypeScriptLoader(url);
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw moduleLoadFailure(url, displayPath, e);
  }
  const definition = module.default;
  if (definition === undefined) {
    throw new JobModuleError(displayPath, `job file '${displayPath}' has no default export: end it with 'export default defineJob((env, args) => { ... })'`);
  }
  if (!isJobDefinition(definition)) {
    throw new JobModuleError(displayPath, `the default export of job file '${displayPath}' was not made by defineJob()`);
  }
  return definition;
}
