#!/usr/bin/env node
// Starts (`up`) and stops (`down`) the servers that the connector tests need, on 127.0.0.1.
//
// `up` probes each service; one that answers is left alone ("already running"). A missing one is
// installed with the system's package manager when its program is absent (Debian's apt-get, as
// root), started as a detached process of this script, and probed until it is ready or its
// timeout passes. What it started is recorded, with PIDs and programs, in .services/started.json
// (WEIR_SERVICES_DIR moves the folder) as soon as it runs; a server that is not ready in time is
// stopped again and forgotten. `down` stops the recorded PIDs that still run the recorded
// program, and nothing else. Every external step is bounded: apt-get, initdb, each readiness probe.
//
// Services (add one by adding an entry to SERVICES: a name, an address, an install step, a start
// step and a readiness probe):
//   postgres  a PostgreSQL cluster of its own (initdb into a data folder) on WEIR_PG_PORT (5433),
//             with max_prepared_transactions=20, which two-phase commit needs; its own cluster
//             so that a system server (whose max_prepared_transactions is 0 by default) is never
//             reconfigured or restarted
//   mariadb   the system's MariaDB on WEIR_MARIADB_PORT (3306); root without password over TCP
//             and a database `test`
//   nats      nats-server with JetStream on WEIR_NATS_PORT (4222)
//   kafka     one Apache Kafka 4.x node in KRaft mode (broker and controller) on KAFKA_PORT (9092),
//             its controller on the next port; the jars (org.apache.kafka:kafka_2.13 and its
//             dependencies) are fetched with Maven into .services/kafka-jars; a fresh log folder
//             is formatted on each start; the transaction state log and the offsets topic have
//             replication 1, so transactions work on the single node
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, chownSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { SERVICE_PORTS } from "./service-ports.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const STATE_DIR = resolve(process.env.WEIR_SERVICES_DIR ?? join(ROOT, ".services"));
const STATE_FILE = join(STATE_DIR, "started.json");
const READY_TIMEOUT_MS = Number(process.env.WEIR_SERVICES_TIMEOUT_MS ?? 90_000);
const isRoot = process.getuid?.() === 0;

const PORTS = Object.fromEntries(Object.entries(SERVICE_PORTS).map(([name, { port }]) => [name, port]));
const MINUTE = 60_000;
/** Bounds of the steps that run other programs; a step past its bound is killed and fails. */
const STEP_TIMEOUT_MS = { aptUpdate: 10 * MINUTE, aptInstall: 15 * MINUTE, initdb: 2 * MINUTE, maven: 10 * MINUTE, kafkaFormat: 2 * MINUTE, client: 30_000, probe: 5000 };

function log(line) {
  console.log(`services: ${line}`);
}

class ServiceError extends Error {}

/** Resolves true when a TCP connection to 127.0.0.1:port opens within `ms`. */
function portOpen(port, ms = 1000) {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(ms, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Settles as `work` does, or rejects after `ms`. */
function within(work, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function waitUntil(what, probe, timeoutMs = READY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await within(probe(), Math.min(STEP_TIMEOUT_MS.probe, Math.max(1, deadline - Date.now())), "a readiness probe")) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ServiceError(`${what} was not ready within ${timeoutMs} ms${last === undefined ? "" : `: ${last.message ?? last}`}`);
}

function which(program, extraDirs = []) {
  for (const dir of [...extraDirs, ...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/sbin"]) {
    const path = join(dir, program);
    if (dir !== "" && existsSync(path)) return path;
  }
  return undefined;
}

let aptUpdated = false;
function aptInstall(pkg) {
  if (!isRoot || which("apt-get") === undefined) {
    throw new ServiceError(`the package '${pkg}' is not installed; install it (Debian: apt-get install ${pkg}) or run this script as root`);
  }
  log(`installing ${pkg} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env, timeout: STEP_TIMEOUT_MS.aptUpdate, killSignal: "SIGKILL" });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", pkg], { stdio: "inherit", env, timeout: STEP_TIMEOUT_MS.aptInstall, killSignal: "SIGKILL" });
}

function userIds(name) {
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** Starts `program` detached, its output appended to .services/<name>.log; returns its PID. */
function startDetached(name, program, args, options = {}) {
  mkdirSync(STATE_DIR, { recursive: true });
  const out = openSync(join(STATE_DIR, `${name}.log`), "a");
  const child = spawn(program, args, { detached: true, stdio: ["ignore", out, out], ...options });
  child.unref();
  if (child.pid === undefined) throw new ServiceError(`could not start ${program}`);
  return child.pid;
}

/** Whether `pid` still runs `program` (a PID the system gave to another program since is not ours). */
function runs(pid, program) {
  if (!alive(pid)) return false;
  if (program === undefined) return true;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
    return basename(command) === basename(program);
  } catch {
    // No /proc: the PID is all there is to go by.
    return true;
  }
}

/** Stops `entry` (a PID this script started): its signal, then SIGKILL after `graceMs`. */
async function stop(entry, graceMs = 30_000) {
  if (!runs(entry.pid, entry.program)) return false;
  process.kill(entry.pid, entry.signal);
  const deadline = Date.now() + graceMs;
  while (alive(entry.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(entry.pid)) process.kill(entry.pid, "SIGKILL");
  return true;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- postgres ------------------------------------------------------------------------------

function postgresBin() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(base, versions[0], "bin");
}

async function postgresReady(port) {
  return withPostgres(port, async (client) => {
    const { rows } = await client.query("SHOW max_prepared_transactions");
    return Number(rows[0].max_prepared_transactions);
  });
}

/** Runs `use` on a client of the server on `port`, every statement bounded. */
async function withPostgres(port, use) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: 2000, query_timeout: STEP_TIMEOUT_MS.probe });
  client.on("error", () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    await within(client.end(), 2000, "closing a PostgreSQL client").catch(() => client.connection.stream.destroy());
  }
}

/** The data folder: under .services when the server's user can reach it, else under the temp dir. */
function postgresDataDir(port, owner) {
  const inRepo = join(STATE_DIR, `postgres-${port}`);
  if (owner === undefined) return inRepo;
  mkdirSync(STATE_DIR, { recursive: true });
  const reachable = spawnSync("setpriv", ["--reuid", String(owner.uid), "--regid", String(owner.gid), "--clear-groups", "test", "-x", STATE_DIR]).status === 0;
  return reachable ? inRepo : join(tmpdir(), `weir-services-postgres-${port}`);
}

const postgres = {
  name: "postgres",
  port: PORTS.postgres,
  hint: () => `PostgreSQL on 127.0.0.1:${PORTS.postgres}`,
  async check() {
    if (!(await portOpen(this.port))) return false;
    const max = await postgresReady(this.port);
    if (max <= 0) {
      throw new ServiceError(
        `a PostgreSQL server on 127.0.0.1:${this.port} has max_prepared_transactions = ${max}; the two-phase-commit tests need > 0: ` +
          `stop it, set WEIR_PG_PORT to a free port, or set max_prepared_transactions and restart it`,
      );
    }
    return true;
  },
  async start() {
    if (postgresBin() === undefined) aptInstall("postgresql");
    const bin = postgresBin();
    if (bin === undefined) throw new ServiceError("PostgreSQL's programs are not under /usr/lib/postgresql/<version>/bin after installing");
    // initdb and the server refuse to run as root: they run as the `postgres` user then.
    const owner = isRoot ? userIds("postgres") : undefined;
    const dataDir = postgresDataDir(this.port, owner);
    const ids = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dirname(dataDir), { recursive: true });
      mkdirSync(dataDir, { mode: 0o700 });
      if (owner !== undefined) chownSync(dataDir, owner.uid, owner.gid);
      log(`initdb ${dataDir}`);
      execFileSync(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], { stdio: "ignore", timeout: STEP_TIMEOUT_MS.initdb, killSignal: "SIGKILL", ...ids });
    }
    const args = ["-D", dataDir, "-p", String(this.port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_prepared_transactions=20", "-c", "fsync=off"];
    const program = join(bin, "postgres");
    const pid = startDetached("postgres", program, args, { cwd: dataDir, ...ids });
    // SIGINT is PostgreSQL's fast shutdown.
    return { pid, signal: "SIGINT", program, detail: `data ${dataDir}` };
  },
  async waitReady() {
    await waitUntil(`PostgreSQL on 127.0.0.1:${this.port}`, async () => (await portOpen(this.port)) && (await postgresReady(this.port)) > 0);
    await withPostgres(this.port, async (client) => {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = 'test'");
      if (rowCount === 0) await client.query("CREATE DATABASE test");
    });
  },
};

// ---- mariadb -------------------------------------------------------------------------------

async function mariadbReady(port) {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 2000 });
  try {
    await connection.query({ sql: "CREATE DATABASE IF NOT EXISTS test", timeout: STEP_TIMEOUT_MS.probe });
    return true;
  } finally {
    await within(connection.end(), 2000, "closing a MariaDB client").catch(() => connection.destroy());
  }
}

const mariadb = {
  name: "mariadb",
  port: PORTS.mariadb,
  hint: () => `MariaDB on 127.0.0.1:${PORTS.mariadb}`,
  async check() {
    if (!(await portOpen(this.port))) return false;
    await mariadbReady(this.port);
    return true;
  },
  async start() {
    if (which("mariadbd") === undefined) aptInstall("mariadb-server");
    const daemon = which("mariadbd");
    if (daemon === undefined) throw new ServiceError("mariadbd is not on the PATH after installing mariadb-server");
    const args = [`--port=${this.port}`, "--bind-address=127.0.0.1"];
    if (isRoot) {
      // The server's socket folder, which a fresh container may lack.
      const { uid, gid } = userIds("mysql");
      mkdirSync("/run/mysqld", { recursive: true });
      chownSync("/run/mysqld", uid, gid);
      args.push("--user=mysql");
    }
    const pid = startDetached("mariadb", daemon, args);
    return { pid, signal: "SIGTERM", program: daemon, detail: "" };
  },
  async waitReady() {
    await waitUntil(`MariaDB on 127.0.0.1:${this.port}`, () => portOpen(this.port));
    // A fresh install lets root in only through the local socket: allow it over TCP without a password.
    const client = which("mariadb") ?? which("mysql");
    if (isRoot && client !== undefined) {
      const grant = "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS test;";
      spawnSync(client, ["-uroot", "-e", grant], { stdio: "ignore", timeout: STEP_TIMEOUT_MS.client, killSignal: "SIGKILL" });
    }
    await waitUntil(`MariaDB on 127.0.0.1:${this.port} (root over TCP)`, () => mariadbReady(this.port));
  },
};

// ---- nats ----------------------------------------------------------------------------------

/**
 * Resolves with the server's INFO (the first line a NATS server sends) when one answers on
 * 127.0.0.1:port within `ms`; the connector tests need `jetstream: true` in it.
 */
function natsInfo(port, ms = 2000) {
  return new Promise((done, fail) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    const finish = (error, info) => {
      socket.destroy();
      if (error === undefined) done(info);
      else fail(error);
    };
    socket.setTimeout(ms, () => finish(new ServiceError(`no INFO from 127.0.0.1:${port} within ${ms} ms`)));
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\r\n");
      if (end === -1) return;
      const line = text.slice(0, end);
      if (!line.startsWith("INFO ")) return finish(new ServiceError(`127.0.0.1:${port} answered '${line.slice(0, 40)}', not as a NATS server`));
      try {
        finish(undefined, JSON.parse(line.slice(5)));
      } catch (e) {
        finish(e);
      }
    });
    socket.once("error", (e) => finish(e));
  });
}

const nats = {
  name: "nats",
  port: PORTS.nats,
  hint: () => `NATS JetStream on 127.0.0.1:${PORTS.nats}`,
  async check() {
    if (!(await portOpen(this.port))) return false;
    const info = await natsInfo(this.port);
    if (info.jetstream !== true) {
      throw new ServiceError(
        `a NATS server on 127.0.0.1:${this.port} runs without JetStream; the NATS tests need it: restart it with -js, or set WEIR_NATS_PORT to a free port`,
      );
    }
    return true;
  },
  async start() {
    if (which("nats-server") === undefined) aptInstall("nats-server");
    const server = which("nats-server");
    if (server === undefined) throw new ServiceError("nats-server is not on the PATH after installing it");
    const store = join(STATE_DIR, `nats-${this.port}`);
    mkdirSync(store, { recursive: true });
    const pid = startDetached("nats", server, ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", store]);
    return { pid, signal: "SIGTERM", program: server, detail: `store ${store}` };
  },
  async waitReady() {
    await waitUntil(`NATS with JetStream on 127.0.0.1:${this.port}`, async () => (await portOpen(this.port)) && (await natsInfo(this.port)).jetstream === true);
  },
};


// ---- kafka ---------------------------------------------------------------------------------

const KAFKA_VERSION = process.env.WEIR_KAFKA_VERSION ?? "4.1.1";

/** The broker's jars, fetched once with Maven from a small pom; returns their folder. */
function kafkaJars() {
  const dir = join(STATE_DIR, "kafka-jars", KAFKA_VERSION);
  const libs = join(dir, "libs");
  if (existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libs;
  if (which("java") === undefined) aptInstall("openjdk-17-jre-headless");
  if (which("mvn") === undefined) aptInstall("maven");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "pom.xml"),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>weir.services</groupId><artifactId>kafka-broker</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
  </dependencies>
</project>
`,
  );
  log(`fetching Kafka ${KAFKA_VERSION} jars with Maven into ${libs}`);
  rmSync(libs, { recursive: true, force: true });
  execFileSync("mvn", ["-q", "-B", "-f", join(dir, "pom.xml"), "dependency:copy-dependencies", `-DoutputDirectory=${libs}`], { stdio: "inherit", timeout: STEP_TIMEOUT_MS.maven, killSignal: "SIGKILL" });
  if (!existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) throw new ServiceError(`Maven did not fetch kafka_2.13-${KAFKA_VERSION}.jar into ${libs}`);
  return libs;
}

/** Asks the broker for its API versions: true once it answers a Kafka request, not just TCP. */
async function kafkaAnswers(port) {
  const { Admin } = await import("@platformatic/kafka");
  const admin = new Admin({ clientId: "weir-services", bootstrapBrokers: [`127.0.0.1:${port}`], connectTimeout: 2000, retries: 0 });
  try {
    await admin.listTopics();
    return true;
  } finally {
    await admin.close();
  }
}

const kafka = {
  name: "kafka",
  port: PORTS.kafka,
  hint: () => `Kafka on 127.0.0.1:${PORTS.kafka}`,
  async check() {
    if (!(await portOpen(this.port))) return false;
    return kafkaAnswers(this.port);
  },
  async start() {
    const libs = kafkaJars();
    const home = join(STATE_DIR, `kafka-${this.port}`);
    const logDirs = join(home, "data");
    rmSync(home, { recursive: true, force: true });
    mkdirSync(logDirs, { recursive: true });
    const controller = this.port + 1;
    const properties = join(home, "server.properties");
    writeFileSync(
      properties,
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        `log.dirs=${logDirs}`,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=4",
        "group.initial.rebalance.delay.ms=0",
        // Transactions of a killed producer are aborted after their timeout; tests use short ones.
        "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
        "",
      ].join("\n"),
    );
    const classpath = join(libs, "*");
    const java = which("java");
    const clusterId = execFileSync(java, ["-cp", classpath, "kafka.tools.StorageTool", "random-uuid"], { encoding: "utf8", timeout: STEP_TIMEOUT_MS.kafkaFormat, killSignal: "SIGKILL" }).trim().split("\n").pop();
    execFileSync(java, ["-cp", classpath, "kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId, "-c", properties], { stdio: "ignore", timeout: STEP_TIMEOUT_MS.kafkaFormat, killSignal: "SIGKILL" });
    const pid = startDetached("kafka", java, ["-Xms256m", "-Xmx768m", "-cp", classpath, "kafka.Kafka", properties], { cwd: home });
    return { pid, signal: "SIGTERM", program: java, detail: `Kafka ${KAFKA_VERSION}, log dir ${logDirs}` };
  },
  async waitReady() {
    await waitUntil(`Kafka on 127.0.0.1:${this.port}`, async () => (await portOpen(this.port)) && (await kafkaAnswers(this.port)));
  },
};

const SERVICES = [postgres, mariadb, nats, kafka];

// ---- commands ------------------------------------------------------------------------------

function readState() {
  if (!existsSync(STATE_FILE)) return {};
  return JSON.parse(readFileSync(STATE_FILE, "utf8"));
}

function writeState(state) {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + "\n");
}

function selected(names) {
  if (names.length === 0) return SERVICES;
  const unknown = names.filter((n) => !SERVICES.some((s) => s.name === n));
  if (unknown.length > 0) throw new ServiceError(`unknown service(s): ${unknown.join(", ")} (known: ${SERVICES.map((s) => s.name).join(", ")})`);
  return SERVICES.filter((s) => names.includes(s.name));
}

async function up(names) {
  const state = readState();
  let failed = 0;
  for (const service of selected(names)) {
    try {
      if (await service.check()) {
        const ours = state[service.name] !== undefined && alive(state[service.name].pid);
        log(`${service.hint()}: already running${ours ? ` (started earlier by this script, pid ${state[service.name].pid})` : ""}`);
        continue;
      }
      const started = await service.start();
      const entry = { pid: started.pid, signal: started.signal, program: started.program, port: service.port };
      // Recorded before waiting, so that `down` finds it even if this script dies meanwhile.
      state[service.name] = entry;
      writeState(state);
      try {
        await service.waitReady();
      } catch (e) {
        await stop(entry, 10_000);
        delete state[service.name];
        writeState(state);
        throw new ServiceError(`${e instanceof Error ? e.message : e}; stopped the server this script started (pid ${entry.pid})`);
      }
      log(`${service.hint()}: started (pid ${started.pid}${started.detail === "" ? "" : `, ${started.detail}`})`);
    } catch (e) {
      failed++;
      console.error(`services: ${service.hint()}: FAILED: ${e instanceof Error ? e.message : e}`);
    }
  }
  if (failed > 0) process.exit(1);
}

async function down(names) {
  const state = readState();
  for (const service of selected(names)) {
    const entry = state[service.name];
    if (entry === undefined) {
      log(`${service.hint()}: not started by this script, left alone`);
      continue;
    }
    if (await stop(entry)) log(`${service.hint()}: stopped (pid ${entry.pid})`);
    else log(`${service.hint()}: pid ${entry.pid} no longer runs ${entry.program ?? "it"}; nothing to stop`);
    delete state[service.name];
    writeState(state);
  }
}

const HELP = `usage: node scripts/services.mjs up|down [service...]

  up     start the services the connector tests need and wait until each is ready
         (installs what is missing with apt-get when run as root); leaves running ones alone
  down   stop what 'up' started (by PID), nothing else

services: ${SERVICES.map((s) => s.name).join(", ")} (default: all)
ports:    WEIR_PG_PORT (5433), WEIR_MARIADB_PORT (3306), WEIR_NATS_PORT (4222), KAFKA_PORT (9092)
timeout:  WEIR_SERVICES_TIMEOUT_MS (90000) per service`;

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === "up") await up(rest);
  else if (command === "down") await down(rest);
  else {
    console.log(HELP);
    process.exit(command === "--help" || command === "-h" ? 0 : 2);
  }
} catch (e) {
  console.error(`services: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
