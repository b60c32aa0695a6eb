/**
 * The Nexmark source: events 0, 1, 2, ... of `nexmarkEvent`, split across subtasks and
 * optionally rate limited as a generator source is (see ../generator.ts). The events do not
 * depend on parallelism, batching or the rate limit; with a rate limit and no `eventTimeRate`,
 * event time advances at the same rate as the limit.
 */
import { generatorSource, type GeneratorSource } from "../generator.ts";
import { NexmarkConfig } from "./config.ts";
import type { NexmarkConfigOptions } from "./config.ts";
import { nexmarkEventFrom } from "./generator.ts";
import type { NexmarkEvent } from "./model.ts";

export interface NexmarkOptions extends NexmarkConfigOptions {
  /** How many events the source emits in all; absent for an unbounded source. */
  readonly events?: number;
  /** Optional limit on the events per second emitted by all subtasks together. */
  readonly eventsPerSecond?: number;
}

export function nexmarkSource(options: NexmarkOptions = {}): GeneratorSource<NexmarkEvent> {
  const config = new NexmarkConfig({ ...options, eventTimeRate: options.eventTimeRate ?? options.eventsPerSecond });
  const source = generatorSource({
    count: options.events,
    seed: config.seed,
    eventsPerSecond: options.eventsPerSecond,
    generate: (eventNumber, random) => nexmarkEventFrom(eventNumber, config, random),
  });
  // Every event is a new object the generator keeps no reference to.
  return { ...source, emitsOwnedRecords: true };
}
