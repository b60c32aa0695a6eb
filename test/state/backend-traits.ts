/** Each registered backend's traits for the conformance suites (a new backend must say which it has). */
import type { StateBackendName } from "../../src/state/state-backends.ts";
import type { BackendTraits } from "./keyed-state-backend-conformance.ts";

export const BACKEND_TRAITS: Record<StateBackendName, BackendTraits> = {
  heap: { storesEncoded: false },
  disk: { storesEncoded: true },
};
