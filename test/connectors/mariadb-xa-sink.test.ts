import { describe } from "node:test";
import { mariadbXaSink } from "../../src/sinks/mariadb/mariadb-sinks.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { MARIADB, skipUnless } from "./services.ts";
import { twoPhaseSinkBehaviour } from "./two-phase-sink-behaviour.ts";

describe("mariadbXaSink", { skip: await skipUnless(MARIADB) }, () => {
  twoPhaseSinkBehaviour({ service: MARIADB, dialect: mariadbDialect, makeSink: mariadbXaSink });
});
