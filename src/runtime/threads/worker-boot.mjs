// Worker threads start here: the TypeScript loader is registered per thread, then the worker runs.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
