/**
 * The control API of a job that `weir run` runs: an HTTP server with Flink's REST paths
 * (docs/rest.md). It listens on 127.0.0.1 unless told another address, which needs a token;
 * when a token is set, every request must carry it (`Authorization: Bearer <token>`) or is
 * refused with 401. The default port (8081) falls back to a free port when taken; a port given
 * explicitly does not (WEIR_ERR_REST_BIND).
 *
 * The server starts before the job has an id; `attach` hands it the job's control once known.
 * Until then it lists no job.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WeirError } from "../core/errors.ts";
import type { JobControl, SavepointTrigger } from "../runtime/job-control.ts";
import { checkpointStatistics, jobDetails, jobsOverview, savepointStatus } from "./rest-responses.ts";

export const DEFAULT_REST_PORT = 8081;
export const LOOPBACK = "127.0.0.1";
/** Requests with a larger body are refused: the API's bodies are a few fields. */
const MAX_BODY_BYTES = 64 * 1024;

export interface RestServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Whether the port was asked for explicitly: then a taken port is an error instead of a fallback. */
  readonly portExplicit: boolean;
  readonly token: string | undefined;
}

/** Whether `host` can only be reached from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What a request asks for, by method and path; pure, so the table is tested on its own. */
export type Route =
  | { readonly kind: "jobs" }
  | { readonly kind: "job"; readonly jobId: string }
  | { readonly kind: "checkpoints"; readonly jobId: string }
  | { readonly kind: "trigger-savepoint"; readonly jobId: string }
  | { readonly kind: "savepoint-status"; readonly jobId: string; readonly triggerId: string }
  | { readonly kind: "stop"; readonly jobId: string }
  | { readonly kind: "cancel"; readonly jobId: string }
  | { readonly kind: "method-not-allowed"; readonly allowed: string }
  | { readonly kind: "not-found" };

export function matchRoute(method: string, pathname: string): Route {
  const parts = pathname.split("/").filter((p) => p !== "");
  if (parts[0] === "v1") parts.shift();
  const only = (allowed: string, route: Route): Route => (method === allowed ? route : { kind: "method-not-allowed", allowed });
  if (parts[0] !== "jobs") return { kind: "not-found" };
  const jobId = parts[1] === undefined ? undefined : decodeURIComponent(parts[1]);
  if (jobId === undefined) return only("GET", { kind: "jobs" });
  if (parts.length === 2) {
    if (method === "GET") return { kind: "job", jobId };
    if (method === "PATCH") return { kind: "cancel", jobId };
    return { kind: "method-not-allowed", allowed: "GET, PATCH" };
  }
  if (parts.length === 3 && parts[2] === "checkpoints") return only("GET", { kind: "checkpoints", jobId });
  if (parts.length === 3 && parts[2] === "savepoints") return only("POST", { kind: "trigger-savepoint", jobId });
  if (parts.length === 4 && parts[2] === "savepoints") return only("GET", { kind: "savepoint-status", jobId, triggerId: decodeURIComponent(parts[3]!) });
  if (parts.length === 3 && parts[2] === "stop") return only("POST", { kind: "stop", jobId });
  return { kind: "not-found" };
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (text: string) => createHash("sha256").update(text).digest();

function authorized(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.authorization ?? "";
  const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  // Digests have one length, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(digest(given), digest(token));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "the request body is not JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpProblem(400, "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") throw new HttpProblem(400, `field '${field}' must be a non-empty string (a directory path), got ${JSON.stringify(value)}`);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new HttpProblem(400, `field '${field}' must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function accepted(trigger: SavepointTrigger): { status: number; body: unknown } {
  if (!trigger.ok) throw new HttpProblem(409, trigger.reason);
  return { status: 202, body: { "request-id": trigger.triggerId } };
}

export class RestServer {
  private control: JobControl | undefined;

  private constructor(
    private readonly server: Server,
    /** `http://<host>:<port>`. */
    readonly address: string,
    /** Whether the default port was taken and another one was picked. */
    readonly fellBack: boolean,
  ) {}

  static async start(options: RestServerOptions): Promise<RestServer> {
    const holder: { server?: RestServer } = {};
    const server = createServer((request, response) => void holder.server!.handle(request, response, options.token));
    let fellBack = false;
    try {
      await listen(server, options.host, options.port);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== "EADDRINUSE" || options.portExplicit) {
        throw new WeirError("WEIR_ERR_REST_BIND", `the control API cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
      }
      await listen(server, options.host, 0);
      fellBack = true;
    }
    const { port } = server.address() as AddressInfo;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    holder.server = new RestServer(server, `http://${host}:${port}`, fellBack);
    return holder.server;
  }

  /** The running job this server controls. */
  attach(control: JobControl): void {
    this.control = control;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse, token: string | undefined): Promise<void> {
    let status = 200;
    let body: unknown;
    try {
      if (!authorized(request, token)) throw new HttpProblem(401, "this job's control API needs its token: send 'Authorization: Bearer <token>'");
      const url = new URL(request.url ?? "/", "http://localhost");
      ({ status, body } = await this.answer(matchRoute(request.method ?? "GET", url.pathname), request, url));
    } catch (error) {
      status = error instanceof HttpProblem ? error.status : 500;
      body = { errors: [error instanceof Error ? error.message : String(error)] };
      if (status === 401) response.setHeader("WWW-Authenticate", "Bearer");
    }
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  }

  private job(jobId: string): JobControl {
    const control = this.control;
    if (control === undefined || control.jobId !== jobId) throw new HttpProblem(404, `no job '${jobId}' here`);
    return control;
  }

  private async answer(route: Route, request: IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> {
    switch (route.kind) {
      case "jobs":
        return { status: 200, body: jobsOverview(this.control === undefined ? [] : [this.control]) };
      case "job":
        return { status: 200, body: jobDetails(this.job(route.jobId), Date.now()) };
      case "checkpoints":
        return { status: 200, body: checkpointStatistics(this.job(route.jobId).checkpointStats()) };
      case "trigger-savepoint": {
        const control = this.job(route.jobId);
        const body = await readBody(request);
        const dir = optionalString(body, "target-directory") ?? control.defaultSavepointDir;
        // Flink's deprecated cancel-with-savepoint: a stop without drain.
        return accepted(optionalBoolean(body, "cancel-job") ? control.stopWithSavepoint(dir, false) : control.triggerSavepoint(dir));
      }
      case "savepoint-status": {
        const operation = this.job(route.jobId).savepointStatus(route.triggerId);
        if (operation === undefined) throw new HttpProblem(404, `no savepoint operation '${route.triggerId}' for job '${route.jobId}'`);
        return { status: 200, body: savepointStatus(operation) };
      }
      case "stop": {
        const control = this.job(route.jobId);
        const body = await readBody(request);
        const dir = optionalString(body, "targetDirectory") ?? control.defaultSavepointDir;
        return accepted(control.stopWithSavepoint(dir, optionalBoolean(body, "drain")));
      }
      case "cancel": {
        const control = this.job(route.jobId);
        const mode = url.searchParams.get("mode") ?? "cancel";
        if (mode !== "cancel") throw new HttpProblem(400, `query parameter 'mode' must be 'cancel', got '${mode}'`);
        control.cancel();
        return { status: 202, body: {} };
      }
      case "method-not-allowed":
        throw new HttpProblem(405, `method ${request.method} is not allowed here; allowed: ${route.allowed}`);
      case "not-found":
        throw new HttpProblem(404, `no such endpoint: ${request.method} ${url.pathname} (see docs/rest.md)`);
    }
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
