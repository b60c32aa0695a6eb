/**
 * A benchmark job: `--query q0|q1|q2|keyed-count|q3|q5|q7|q8 --events N [--mark-after R]`, into a sink that
 * reports when its input ended (`result.collected(END_OF_INPUT)`, ./end-of-input-sink.ts); it drops
 * the records, except those of the checked queries (q3 and the windowed ones), whose results the
 * benchmark checks.
 */
import { defineJob, nexmarkSource } from "../../src/index.ts";
import { addQuery, type QueryName } from "../queries.ts";
import { isWindowedQuery } from "../queries/windowed.ts";
import { endOfInputSink } from "./end-of-input-sink.ts";

/** The uid of the job's sink. */
export const END_OF_INPUT = "end-of-input";

export default defineJob((env, args) => {
  const query = args.string("query", "q0") as QueryName;
  const events = env.fromSource(nexmarkSource({ events: args.number("events", 1_000_000) }), "nexmark");
  const sink = endOfInputSink({ keepResults: query === "q3" || isWindowedQuery(query), markAfter: args.number("mark-after", 0) });
  addQuery(query, events, sink).uid(END_OF_INPUT);
});
