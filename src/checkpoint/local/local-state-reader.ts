/**
 * Reads the local copy of a state file (see task-local-state-store.ts) for a restore: the copy is
 * used only when it is exactly what the checkpoint recorded (length and checksum); otherwise the
 * outcome says why not, and the caller reads the checkpoint storage instead.
 */
import { readFile } from "node:fs/promises";
import type { StateHandle } from "../storage/checkpoint-metadata.ts";
import type { StateFileOwner } from "../storage/checkpoint-paths.ts";
import { checkStateFileContent } from "../storage/state-file-checks.ts";
import type { LocalStatePaths } from "./local-state-paths.ts";

export type LocalCopyRead =
  | { readonly kind: "local"; readonly bytes: Uint8Array; readonly path: string }
  /** No copy: never written here, already deleted, or on another machine. */
  | { readonly kind: "missing"; readonly path: string }
  /** A copy of another length or checksum than the checkpoint recorded, or one that cannot be read. */
  | { readonly kind: "corrupt"; readonly path: string; readonly problem: string };

export async function readLocalCopy(paths: LocalStatePaths, owner: StateFileOwner, handle: StateHandle): Promise<LocalCopyRead> {
  const path = paths.copyOf(owner, handle);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing", path };
    return { kind: "corrupt", path, problem: error instanceof Error ? error.message : String(error) };
  }
  try {
    return { kind: "local", bytes: checkStateFileContent({ ...handle, path }, bytes), path };
  } catch (error) {
    return { kind: "corrupt", path, problem: error instanceof Error ? error.message : String(error) };
  }
}
