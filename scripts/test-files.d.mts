export interface TestFilesResult {
  passed: string[];
  failed: string[];
  stalled: string[];
  notRun: string[];
}

export interface TestFilesOptions {
  readonly nodeArgs: readonly string[];
  readonly concurrency: number;
  readonly fileTimeoutMs: number;
  readonly laneTimeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (text: string) => void;
  readonly now?: () => number;
}

export function runTestFiles(files: readonly string[], options: TestFilesOptions): Promise<TestFilesResult>;
export function describeResult(result: TestFilesResult): string;
