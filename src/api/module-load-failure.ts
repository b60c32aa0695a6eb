/**
 * Explains why a job module failed to import, in terms of what the user must change:
 *
 * - a syntax error, as the file, line, column and message only (the transpiler's or V8's own stack
 *   points into their internals and says nothing more);
 * - a job that imports "weir" from a folder where no weir package is installed (Node then reports
 *   an unresolvable package, or, for a TypeScript file outside any package, a confusing
 *   "require() of ES Module in a cycle");
 * - a TypeScript job written as an ES module inside a package without `"type": "module"`, which
 *   Node then loads as CommonJS and fails with the same confusing message;
 * - anything else, with the underlying error as the cause.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { JobModuleError } from "../core/errors.ts";

export interface SyntaxErrorLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const ESBUILD_SYNTAX = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;
const V8_LOCATION = /^(file:\/\/\S+?|\/\S+?):(\d+)\n(.*)\n(\s*)\^/;

/** Where a syntax error is, from an esbuild TransformError (TypeScript) or a V8 SyntaxError (JavaScript); undefined for other errors. */
export function syntaxErrorLocation(error: unknown): SyntaxErrorLocation | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "TransformError") {
    const m = ESBUILD_SYNTAX.exec(error.message);
    // esbuild counts columns from 0.
    return m === null ? undefined : { file: m[1]!, line: Number(m[2]), column: Number(m[3]) + 1, message: m[4]! };
  }
  if (error instanceof SyntaxError) {
    const m = V8_LOCATION.exec(error.stack ?? "");
    if (m === null) return undefined;
    const file = m[1]!.startsWith("file:") ? fileURLToPath(m[1]!) : m[1]!;
    return { file, line: Number(m[2]), column: m[4]!.length + 1, message: error.message };
  }
  return undefined;
}

/**
 * Node 20 reports a syntax error in an ES module without its place; `node --check` gives it, for
 * the job file itself (an error in a module it imports stays without a place).
 */
function checkedSyntaxLocation(file: string, error: SyntaxError): SyntaxErrorLocation | undefined {
  if (!/\.[cm]?js$/.test(file)) return undefined;
  const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
  const m = check.status === 1 ? V8_LOCATION.exec(check.stderr) : null;
  return m === null ? undefined : { file, line: Number(m[2]), column: m[4]!.length + 1, message: error.message };
}

const IMPORTS_WEIR = /(?:from\s*|import\s*\(?\s*)["']weir(?:\/[\w-]+)?["']/;

/** Whether Node would find a "weir" package from `file`'s folder: in a node_modules folder above it, or as the package that holds it. */
export function weirResolvableFrom(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", "weir", "package.json"))) return true;
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readName(manifest) === "weir") return true;
    if (dirname(dir) === dir) return false;
  }
}

function readName(manifest: string): unknown {
  return readManifest(manifest)?.name;
}

function readManifest(manifest: string): { name?: unknown; type?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; type?: unknown };
  } catch {
    return undefined;
  }
}

/** The nearest package.json above a `.ts` file when it makes that file CommonJS (no `"type": "module"`); undefined otherwise. */
function commonJsManifestOf(file: string): string | undefined {
  if (file.endsWith(".cts")) return undefined;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return readManifest(manifest)?.type === "module" ? undefined : manifest;
    if (dirname(dir) === dir) return undefined;
  }
}

function importsWeir(file: string): boolean {
  try {
    return IMPORTS_WEIR.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/** The error that reports `cause`, a failure to import the job module at `url`, named `displayPath`. */
export function moduleLoadFailure(url: string, displayPath: string, cause: unknown): JobModuleError {
  const file = url.startsWith("file:") ? fileURLToPath(url) : undefined;
  const syntax = syntaxErrorLocation(cause) ?? (cause instanceof SyntaxError && file !== undefined ? checkedSyntaxLocation(file, cause) : undefined);
  if (syntax !== undefined) {
    const where = relative(process.cwd(), syntax.file) || syntax.file;
    return new JobModuleError(displayPath, `job file '${displayPath}' could not be loaded: syntax error at ${where}:${syntax.line}:${syntax.column}: ${syntax.message}`, {
      code: "WEIR_ERR_JOB_SYNTAX",
    });
  }
  if (file !== undefined && importsWeir(file) && !weirResolvableFrom(file)) {
    return new JobModuleError(
      displayPath,
      `job file '${displayPath}' imports "weir", but weir is not installed for it: Node looks for it in node_modules folders from ` +
        `'${dirname(file)}' upwards. Install it in the job's project ('npm install weir' next to its package.json), or move the job file into a project that has it`,
      { code: "WEIR_ERR_WEIR_NOT_INSTALLED", cause },
    );
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const manifest = file !== undefined && /\.[ct]?ts$/.test(file) ? commonJsManifestOf(file) : undefined;
  if (manifest !== undefined && /require\(\)|require of|in a cycle/i.test(reason)) {
    return new JobModuleError(
      displayPath,
      `job file '${displayPath}' could not be loaded: Node loads it as CommonJS because ${relative(process.cwd(), manifest) || manifest} has no "type": "module", ` +
        `but the job is an ES module. Add "type": "module" to that package.json, or name the job file '.mts' (Node said: ${reason})`,
      { cause },
    );
  }
  return new JobModuleError(displayPath, `job file '${displayPath}' could not be loaded: ${reason}`, { cause });
}
