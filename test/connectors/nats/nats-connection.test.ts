import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { defineJob } from "../../../src/api/define-job.ts";
import { runJob } from "../../../src/runtime/run-job.ts";
import { natsSink } from "../../../src/connectors/nats/nats-sink.ts";
import { natsSource } from "../../../src/connectors/nats/nats-source.ts";
import { sinkOperator } from "../../sinks/sink-context.ts";

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const retry = { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 };

describe("an unreachable NATS server", () => {
  it("fails a sink's start after its attempts, naming the address and the cause", async () => {
    const servers = `127.0.0.1:${await freePort()}`;
    await assert.rejects(sinkOperator(natsSink({ servers, subject: "out", retry })), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SINK_UNREACHABLE");
      assert.match(e.message, new RegExp(`^NATS at ${servers.replaceAll(".", "\\.")} is unreachable after 2 attempts: .*refused`));
      return true;
    });
  });

  it("fails a job reading from it, naming the address and the cause", async () => {
    const servers = `127.0.0.1:${await freePort()}`;
    const job = defineJob((env) => {
      env.fromSource(natsSource({ servers, stream: "IN", bounded: "latest", retry }), "in").collect("in");
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SOURCE_UNREACHABLE");
      assert.match(e.message, new RegExp(`NATS at ${servers.replaceAll(".", "\\.")} is unreachable after 2 attempts: .*refused`));
      return true;
    });
  });

  it("a server that accepts but never answers fails the connection within its timeout instead of hanging", async () => {
    // It holds each connection open without a word; closing it drops them.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const servers = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      await assert.rejects(sinkOperator(natsSink({ servers, subject: "out", connectTimeoutMs: 200, retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 } })), {
        code: "WEIR_ERR_SINK_UNREACHABLE",
        message: new RegExp(`NATS at ${servers.replaceAll(".", "\\.")} is unreachable after 1 attempt: `),
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe("NATS options", () => {
  it("a source refuses a stream name with a dot, an empty subject list and a negative start", () => {
    assert.throws(() => natsSource({ stream: "a.b" }), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /natsSource\("a\.b"\): stream must be a stream name/ });
    assert.throws(() => natsSource({ stream: "S", subjects: [] }), { message: /subjects must be a non-empty list of subject filters, got \[\]/ });
    assert.throws(() => natsSource({ stream: "S", start: { sequence: 0 } }), { message: /start must be "first", "new" or \{ sequence \} with a sequence of at least 1, got \{"sequence":0\}/ });
    assert.throws(() => natsSource({ stream: "S", bounded: "end" as "latest" }), { message: /bounded must be "latest" or \{ sequence \}/ });
    assert.throws(() => natsSource({ stream: "S", servers: [] }), { message: /servers must be a non-empty "host:port" string or a list of them, got \[\]/ });
  });

  it("a sink refuses a wildcard subject, a subject function without a stream, and a window of no messages", () => {
    assert.throws(() => natsSink({ subject: "out.*" }), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /natsSink\("out\.\*"\): subject must be a subject without spaces or wildcards/ });
    assert.throws(() => natsSink({ subject: (r: string) => r }), { message: /a subject function needs the stream that captures its subjects \(option stream\)/ });
    assert.throws(() => natsSink({ subject: "out", maxInFlight: 0 }), { message: /maxInFlight must be a whole number of at least 1, got 0/ });
    assert.throws(() => natsSink({ subject: "out", restartTimeMs: -1 }), { message: /restartTimeMs must be a number of milliseconds of at least 0, got -1/ });
  });
});
