import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  ErrorCodes,
  internalError,
  invalidArgument,
  InvalidJobError,
  JobCancelledError,
  JobFailedError,
  JobModuleError,
  WeirError,
  type ErrorCode,
} from "../../src/core/errors.ts";

const documented = [...readFileSync("docs/errors.md", "utf8").matchAll(/^## (\S+)$/gm)].map((m) => m[1]!);
const registered = Object.keys(ErrorCodes);

describe("the error code registry", () => {
  it("every registered code has a section in docs/errors.md", () => {
    assert.deepEqual(registered.filter((code) => !documented.includes(code)), []);
  });

  it("every code documented in docs/errors.md is registered", () => {
    assert.deepEqual(documented.filter((code) => !registered.includes(code)), []);
  });

  it("docs/errors.md documents each code once", () => {
    assert.equal(new Set(documented).size, documented.length);
  });

  it("every code says what it means and follows the WEIR_ERR_ naming", () => {
    for (const [code, meaning] of Object.entries(ErrorCodes)) {
      assert.match(code, /^WEIR_ERR_[A-Z_]+$/);
      assert.ok(meaning.length > 0, code);
    }
  });
});

describe("WeirError and its subclasses", () => {
  const cases: [WeirError, ErrorCode, string][] = [
    [new WeirError("WEIR_ERR_STATE_CONFLICT", "m"), "WEIR_ERR_STATE_CONFLICT", "WeirError"],
    [new InvalidJobError("WEIR_ERR_DUPLICATE_UID", "m"), "WEIR_ERR_DUPLICATE_UID", "InvalidJobError"],
    [new JobModuleError("job.ts", "m"), "WEIR_ERR_JOB_MODULE", "JobModuleError"],
    [new JobFailedError({ operator: "Map", subtaskIndex: 0, parallelism: 1, cause: new Error("boom") }), "WEIR_ERR_USER_FUNCTION", "JobFailedError"],
    [
      new JobFailedError({ operator: "Source: lines", subtaskIndex: 0, parallelism: 1, cause: new Error("gone"), code: "WEIR_ERR_SOURCE_IO" }),
      "WEIR_ERR_SOURCE_IO",
      "JobFailedError",
    ],
    [new JobCancelledError(), "WEIR_ERR_JOB_CANCELLED", "JobCancelledError"],
    [invalidArgument("m"), "WEIR_ERR_INVALID_ARGUMENT", "WeirError"],
    [internalError("m"), "WEIR_ERR_INTERNAL", "WeirError"],
  ];

  it("carry their code, their class name, and are WeirErrors", () => {
    for (const [error, code, name] of cases) {
      assert.ok(error instanceof WeirError, name);
      assert.equal(error.code, code, name);
      assert.equal(error.name, name);
      assert.ok(code in ErrorCodes, code);
    }
  });

  it("a JobFailedError names the operator, its subtask counted from one, and the cause", () => {
    const cause = new TypeError("x is undefined");
    const error = new JobFailedError({ operator: "Hot bidders", subtaskIndex: 2, parallelism: 4, cause });
    assert.equal(error.message, "operator 'Hot bidders' (subtask 3/4) failed: TypeError: x is undefined");
    assert.equal(error.cause, cause);
    assert.deepEqual([error.operator, error.subtaskIndex, error.parallelism], ["Hot bidders", 2, 4]);
  });

  it("a JobModuleError keeps the path of the job file", () => {
    assert.equal(new JobModuleError("jobs/fraud.ts", "m").path, "jobs/fraud.ts");
  });
});
