/** Loads a job file: a module whose default export was made by defineJob. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { JobModuleError } from "../core/errors.ts";
import { isJobDefinition, type JobDefinition } from "./define-job.ts";

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
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new JobModuleError(displayPath, `job file '${displayPath}' could not be loaded: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
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
