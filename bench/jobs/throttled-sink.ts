/**
 * A source that could go ten times faster than its sink: an unbounded generator at `--rate`
 * records per second, a rebalancing edge, and a sink whose subtasks together take `--sink-rate`
 * records per second (each waits, spinning, until its share of the time has passed). The channels
 * between them stay full: the shape of back-pressure the unaligned-checkpoint benchmark measures.
 */
import { defineJob, generatorSource, type Sink } from "../../src/index.ts";

function throttledSink(recordsPerSecond: number): Sink<number> {
  return {
    createWriter(context) {
      const share = recordsPerSecond / context.parallelism;
      let startedAt: number | undefined;
      let taken = 0;
      return {
        write() {
          startedAt ??= performance.now();
          taken++;
          const due = startedAt + (taken * 1000) / share;
          while (performance.now() < due) {
            // The sink is this slow on purpose.
          }
        },
      };
    },
  };
}

export default defineJob((env, args) => {
  const rate = args.number("rate", 40_000)!;
  env
    .fromSource(generatorSource<number>({ eventsPerSecond: rate, generate: (i) => i }), "fast source")
    .uid("fast-source")
    .rebalance()
    .sinkTo(throttledSink(args.number("sink-rate", rate / 10)!))
    .name("throttled sink")
    .uid("throttled-sink");
});
