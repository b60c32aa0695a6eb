import { describe } from "node:test";
import { mariadbUpsertSink } from "../../src/sinks/mariadb/mariadb-sinks.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { MARIADB, skipUnless } from "./services.ts";
import { upsertSinkBehaviour } from "./upsert-sink-behaviour.ts";

describe("mariadbUpsertSink", { skip: await skipUnless(MARIADB) }, () => {
  upsertSinkBehaviour(MARIADB, mariadbDialect, mariadbUpsertSink);
});
