/** A benchmark job: `--query q0|q1|q2|keyed-count --events N`, into a discarding sink. */
import { defineJob, discardingSink, nexmarkSource } from "../../src/index.ts";
import { addQuery, type QueryName } from "../queries.ts";

export default defineJob((env, args) => {
  const query = args.string("query", "q0") as QueryName;
  const events = env.fromSource(nexmarkSource({ events: args.number("events", 1_000_000) }), "nexmark");
  addQuery(query, events, discardingSink());
});
