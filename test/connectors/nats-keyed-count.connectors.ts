/**
 * Crash-test campaigns: NATS → keyed count → NATS under kill -9, checked for exactly-once by
 * reading the output subject back: each key's counts once each, as a run without failures
 * publishes them. One campaign lets the sink name messages by checkpoint positions (the default),
 * one by the records' identity (`messageId`). The kit reports the kills it made and any difference.
 */
import { after, before, describe, it } from "node:test";
import { NATS, skipUnless } from "./services.ts";
import { createStream, deleteStream, NATS_SERVER, publishJson, uniqueStream } from "./nats-streams.ts";
import { CAMPAIGN_TIMEOUT_MS, runKeyedCountCampaign } from "./keyed-count-campaign.ts";

const JOB = new URL("../fixtures/jobs/nats-count.ts", import.meta.url);
const EVENTS = Number(process.env.WEIR_NATS_EVENTS ?? 20_000);
const KEYS = 10;
const RUNS = Number(process.env.WEIR_CONNECTOR_RUNS ?? 3);

describe("NATS → keyed count → NATS under the crash-test kit (kill -9)", { skip: await skipUnless(NATS) }, () => {
  const input = uniqueStream("weir_cin");
  const output = uniqueStream("weir_cout");
  before(async () => {
    await createStream(input);
    await createStream(output);
    await publishJson(
      Array.from({ length: EVENTS }, (_, i) => i % KEYS),
      (_, i) => `${input}.${i % 2}`,
    );
  });
  after(async () => {
    await deleteStream(input);
    await deleteStream(output);
  });

  for (const ids of ["checkpoint", "record"] as const) {
    it(`publishes each key's counts exactly once with ids from ${ids === "checkpoint" ? "checkpoint positions" : "the records"}`, { timeout: CAMPAIGN_TIMEOUT_MS }, () =>
      runKeyedCountCampaign({
        label: `nats (${ids} ids)`,
        job: JOB,
        events: EVENTS,
        keys: KEYS,
        options: {
          runs: RUNS,
          seed: 23,
          faults: ["kill"],
          parallelism: 2,
          args: ["--servers", NATS_SERVER, "--in", input, "--out", `${output}.${ids}`, "--ids", ids, "--run", "{run}"],
        },
      }),
    );
  }
});
