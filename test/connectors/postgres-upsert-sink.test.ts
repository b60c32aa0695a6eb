import { describe } from "node:test";
import { postgresUpsertSink } from "../../src/sinks/postgres/postgres-sinks.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { POSTGRES, skipUnless } from "./services.ts";
import { upsertSinkBehaviour } from "./upsert-sink-behaviour.ts";

describe("postgresUpsertSink", { skip: await skipUnless(POSTGRES) }, () => {
  upsertSinkBehaviour(POSTGRES, postgresDialect, postgresUpsertSink);
});
