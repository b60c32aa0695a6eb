/**
 * What an IoThreadVolume and its I/O thread say to each other (see io-thread-volume.ts), and how the
 * thread carries out a change. The thread loads this module and not the volume's, which starts
 * threads.
 */
import type { DiskVolume } from "./disk-volume.ts";

export type IoRequest =
  | { readonly id: number; readonly op: "write"; readonly path: string; readonly bytes: Uint8Array }
  | { readonly id: number; readonly op: "remove"; readonly path: string }
  | { readonly id: number; readonly op: "move"; readonly path: string; readonly to: string };

/** The thread's first message says it is up; then one answer per change. */
export type IoMessage = { readonly up: true } | IoReply;

export interface IoReply {
  readonly id: number;
  /** Set when the change failed; `path` and `operation` when it was a CheckpointIoError. */
  readonly error?: { readonly path?: string; readonly operation?: string; readonly systemCode?: string; readonly cause: string };
}

/** Distributes `Omit` over the union, so each request keeps its own fields. */
export type RequestBody = IoRequest extends infer R ? (R extends IoRequest ? Omit<R, "id"> : never) : never;

/** Makes the change `request` asks for on `volume`. */
export function change(volume: DiskVolume, request: RequestBody): Promise<void> {
  return request.op === "write" ? volume.writeAtomically(request.path, request.bytes) : request.op === "remove" ? volume.remove(request.path) : volume.move(request.path, request.to);
}

