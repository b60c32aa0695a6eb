// Starts a baseline worker thread with the TypeScript loader registered.
import { register } from "tsx/esm/api";

register();
await import("./baseline-worker.ts");
