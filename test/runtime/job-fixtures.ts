/** Helpers for tests that run fixture jobs (test/fixtures/jobs/rt-*.ts) through both runtimes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** The file URL of a fixture job module. */
export function fixtureJob(name: string): URL {
  return new URL(`../fixtures/jobs/${name}.ts`, import.meta.url);
}

/** Records in a canonical order (by their JSON text), so outputs of parallel runs compare as multisets. */
export function canonical<T>(records: readonly T[]): T[] {
  return records
    .map((r) => [JSON.stringify(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test file's tests are done. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `weir-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
