import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { runCommand } from "../../src/cli/run-command.ts";
import { CapturedIo } from "./captured-io.ts";

const JOBS = "test/fixtures/jobs";
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  const code = await main(argv, io);
  return { code, io };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "weir-cli-"));
}

describe("weir --help and --version", () => {
  it("--help lists the commands and how to get help on each, and exits 0", async () => {
    for (const flag of ["--help", "-h", "help"]) {
      const { code, io } = await weir(flag);
      assert.equal(code, 0);
      assert.match(io.out, /weir run <job\.ts> \[options\] \[-- job args\]/);
      assert.match(io.out, /weir <command> --help/);
      assert.match(io.out, /weir --version/);
      assert.equal(io.err, "");
    }
  });

  it("run --help explains every option of the run command, with an example", async () => {
    const { code, io } = await weir("run", "--help");
    assert.equal(code, 0);
    const unwrapped = io.out.replace(/\s+/g, " ");
    for (const option of runCommand.options) {
      assert.ok(io.out.includes(`--${option.name}`), `--${option.name} is missing from the help`);
      if (option.defaultText !== undefined) assert.ok(unwrapped.includes(`(default: ${option.defaultText})`), `default of --${option.name}`);
    }
    assert.match(io.out, /-p, --parallelism <n>/);
    assert.match(io.out, /Examples:\n.*\n {2}weir run examples\//);
    assert.match(io.out, /130 {2}the job was cancelled by SIGINT/);
    assert.match(io.out, /141 {2}the job was stopped because the reader of its standard output went away/);
    assert.match(io.out, /\n\nCheckpoint and restart options:\n {6}--checkpoint-interval <duration> /);
    for (const option of runCommand.options.filter((o) => o.group !== undefined)) {
      assert.match(unwrapped, new RegExp(`\\(e\\.g\\. --${option.name} `), `an example of --${option.name}`);
    }
  });

  it("help on a command is the same whether asked as 'help run', 'run --help' or 'run -h' with other arguments", async () => {
    const expected = (await weir("run", "--help")).io.out;
    assert.equal((await weir("help", "run")).io.out, expected);
    assert.equal((await weir("run", "job.ts", "--bogus", "-h")).io.out, expected);
  });

  it("--version prints the package version", async () => {
    const { code, io } = await weir("--version");
    assert.equal(code, 0);
    assert.equal(io.out, `weir ${manifest.version}\n`);
  });
});

describe("weir with a wrong command line", () => {
  it("exits 2 with a usage hint when no command is given", async () => {
    const { code, io } = await weir();
    assert.equal(code, 2);
    assert.match(io.err, /Usage:/);
  });

  it("names an unknown command, and suggests 'run' for a job file", async () => {
    const { code, io } = await weir("examples/word-count.ts");
    assert.equal(code, 2);
    assert.equal(io.err, "weir: unknown command 'examples/word-count.ts' (to run a job file: weir run examples/word-count.ts)\nRun 'weir --help' for usage.\n");
  });

  it("names an unknown option of run and points to run --help", async () => {
    const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, "--paralelism", "2");
    assert.equal(code, 2);
    assert.equal(io.err, "weir run: unknown option '--paralelism' (did you mean --parallelism?)\nRun 'weir run --help' for usage.\n");
  });

  it("names the option whose value is bad, and what it must be", async () => {
    const cases: [string[], RegExp][] = [
      [["-p", "zero"], /option -p must be a positive integer, got 'zero'/],
      [["--max-parallelism", "40000"], /option --max-parallelism must be an integer from 1 to 32768, got '40000'/],
      [["--workers", "0"], /option --workers must be a positive integer, got '0'/],
      [["--buffer-size", "-5"], /option --buffer-size must be a positive integer, got '-5'/],
      [["--buffer-timeout", "soon"], /option --buffer-timeout must be a non-negative integer, got 'soon'/],
      [["--progress-interval"], /option --progress-interval needs a value: --progress-interval <ms>/],
      [["--quiet=no"], /option --quiet takes no value/],
    ];
    for (const [flags, message] of cases) {
      const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, ...flags);
      assert.equal(code, 2, flags.join(" "));
      assert.match(io.err, message);
      assert.match(io.err, /Run 'weir run --help' for usage\./);
    }
  });

  it("refuses a missing job file argument, stray positionals, and --workers with --single-thread", async () => {
    assert.match((await weir("run")).io.err, /missing the job file/);
    const stray = await weir("run", "job.ts", "extra");
    assert.equal(stray.code, 2);
    assert.match(stray.io.err, /unexpected argument 'extra': arguments for the job go after '--', as in 'weir run job\.ts -- extra'/);
    const both = await weir("run", "job.ts", "--single-thread", "--workers", "2");
    assert.equal(both.code, 2);
    assert.match(both.io.err, /--single-thread and --workers cannot be used together/);
  });
});

describe("weir run", () => {
  it("runs a bounded job to the end, hands it the arguments after --, prints a summary and exits 0", async () => {
    const dir = tempDir();
    try {
      const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, "-p", "2", "--", "--count", "10", "--out", dir);
      assert.equal(code, 0, io.err);
      assert.match(io.err, /^job started: test\/fixtures\/jobs\/cli-bounded\.ts as job-\S+ \(worker threads\)\n/);
      assert.match(io.err, /job finished in \S+ \(job-\S+\): 0 restarts, no checkpoints\n {2}Source: numbers +in +10 +out +10 /);
      assert.match(io.err, /\n {2}Sum by parity +in +10 +out +10 /);
      const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l !== ""));
      assert.ok(lines.includes("odd 25") && lines.includes("even 30"), lines.join(", "));
      assert.equal(io.out, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs on the calling thread with --single-thread and prints nothing with --quiet", async () => {
    const dir = tempDir();
    try {
      const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, "--single-thread", "--quiet", "--", "--out", dir);
      assert.equal(code, 0, io.err);
      assert.equal(io.err, "");
      const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"));
      assert.ok(lines.includes("even 2550"), "the sum of the even numbers up to 100");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a failed job with the operator, subtask, cause and error code, and exits 1", async () => {
    for (const runtime of [[], ["--single-thread"]]) {
      const { code, io } = await weir("run", `${JOBS}/cli-failing.ts`, "-p", "1", ...runtime);
      assert.equal(code, 1, runtime.join(" "));
      assert.match(io.err, /job failed: operator 'Unlucky map' \(subtask 1\/1\) failed: Error: record 13 is unlucky\n/);
      assert.match(io.err, /code: WEIR_ERR_USER_FUNCTION/);
      assert.match(io.err, /cli-failing\.ts:\d+:\d+/, "the stack points into the job file");
    }
  });

  it("refuses a job file without a default export, naming it by the path given, and exits 1", async () => {
    for (const runtime of [[], ["--single-thread"]]) {
      const { code, io } = await weir("run", `${JOBS}/cli-no-default.ts`, ...runtime);
      assert.equal(code, 1);
      assert.match(io.err, /^job refused: job file 'test\/fixtures\/jobs\/cli-no-default\.ts' has no default export: end it with /);
      assert.doesNotMatch(io.err, /file:/);
      assert.match(io.err, /code: WEIR_ERR_JOB_MODULE/);
    }
  });

  it("refuses a job file that does not exist", async () => {
    const { code, io } = await weir("run", `${JOBS}/cli-missing.ts`);
    assert.equal(code, 1);
    assert.match(io.err, /^job refused: job file 'test\/fixtures\/jobs\/cli-missing\.ts' does not exist/);
  });

  it("refuses a job whose build function throws, with a code line and the stack into the job file", async () => {
    for (const runtime of [[], ["--single-thread"]]) {
      const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, ...runtime);
      assert.equal(code, 1);
      assert.match(io.err, /^job refused: the job's build function threw: Error: cli-bounded needs --out DIR\n {2}code: WEIR_ERR_JOB_BUILD /);
      assert.match(io.err, /cause stack:\n {4}at .*cli-bounded\.ts:\d+:\d+/);
    }
  });

  it("refuses a job argument that the job does not read, naming it and the arguments the job reads", async () => {
    const out = tempDir();
    try {
      const { code, io } = await weir("run", `${JOBS}/cli-bounded.ts`, "--single-thread", "--", "--out", out, "--cuont", "5");
      assert.equal(code, 1);
      assert.match(io.err, /^job refused: unknown job argument --cuont: it reads --count, --out\. .*\n {2}code: WEIR_ERR_UNKNOWN_JOB_ARGUMENT /);
      assert.deepEqual(readdirSync(out), []);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("refuses a job that asks for keyed state on a stream that is not keyed, before it starts", async () => {
    for (const runtime of [[], ["--single-thread"]]) {
      const { code, io } = await weir("run", `${JOBS}/cli-unkeyed-state.ts`, ...runtime);
      assert.equal(code, 1);
      assert.match(io.err, /^job refused: .*'Running total' asked for keyed state 'total'/);
      assert.match(io.err, /code: WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM/);
      assert.doesNotMatch(io.err, /job started/);
    }
  });

  it("prints a progress block per interval while the job runs", async () => {
    const io = new CapturedIo();
    const exit = main(["run", `${JOBS}/cli-unbounded.ts`, "--single-thread", "--progress-interval", "20"], io);
    await io.stderrIncludes("  Sum by key ");
    io.raise("SIGINT");
    assert.equal(await exit, 130);
    assert.match(io.err, /running for \S+\n {2}Source: ticks +in +\S+ +out +\S+ +\S+\/s\n {2}Sum by key +in/);
  });

  it("cancels the job on SIGTERM, says so, exits 143 and stops listening for signals", async () => {
    for (const runtime of [[], ["--single-thread"]]) {
      const io = new CapturedIo();
      const exit = main(["run", `${JOBS}/cli-unbounded.ts`, ...runtime], io);
      await io.stderrIncludes("job started");
      io.raise("SIGTERM");
      assert.equal(await exit, 143);
      assert.match(io.err, /job cancelled after \S+ \(SIGTERM\)\n$/);
      assert.equal(io.listenerCount(), 0);
      assert.deepEqual(io.exits, []);
    }
  });

  it("exits at once on a signal repeated a second or more after the first, while the job is cancelling", async () => {
    const io = new CapturedIo();
    const exit = main(["run", `${JOBS}/cli-unbounded.ts`, "--single-thread", "--quiet"], io);
    io.raise("SIGINT");
    io.time += 999;
    io.raise("SIGINT");
    assert.deepEqual(io.exits, [], "a repeat within a second is the same Ctrl-C, forwarded");
    io.time += 1;
    io.raise("SIGTERM");
    assert.deepEqual(io.exits, [143]);
    assert.equal(await exit, 130);
  });
});
