/** The version of Weir, as the package manifest states it. */
import { readFileSync } from "node:fs";

export function weirVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
