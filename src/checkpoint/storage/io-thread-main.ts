/**
 * The checkpoint I/O thread: carries out the changes an IoThreadVolume hands it on a DiskVolume of
 * its own, each as it comes, and answers each (see io-thread-volume.ts).
 */
import { parentPort } from "node:worker_threads";
import { DiskVolume } from "./disk-volume.ts";
import { blockingFileCalls } from "./file-calls.ts";
import { CheckpointIoError } from "./checkpoint-storage-errors.ts";
import { change, type IoMessage, type IoReply, type IoRequest } from "./io-thread-protocol.ts";

// This thread does nothing but these changes: each call blocks it rather than waiting for a pool thread and a turn of its event loop.
const volume = new DiskVolume(blockingFileCalls);
const port = parentPort!;

function failure(e: unknown): IoReply["error"] {
  if (e instanceof CheckpointIoError) {
    const cause = e.cause instanceof Error ? e.cause.message : String(e.cause);
    return { path: e.path, operation: e.operation, cause, ...(e.systemCode === undefined ? {} : { systemCode: e.systemCode }) };
  }
  return { cause: e instanceof Error ? e.message : String(e) };
}

port.on("message", (request: IoRequest) => {
  const done = change(volume, request);
  done.then(
    () => port.postMessage({ id: request.id } satisfies IoReply),
    (e: unknown) => port.postMessage({ id: request.id, error: failure(e) } satisfies IoReply),
  );
});
port.postMessage({ up: true } satisfies IoMessage);
