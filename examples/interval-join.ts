/**
 * The interval join: ad clicks attributed to the impressions that preceded them. Each impression
 * is an ad shown to a user; a click on that ad by that user within one second after it counts
 * for it. Both streams arrive out of order (impressions up to 400 ms, clicks up to 2 s); their
 * watermark strategies say so, and the join keeps each side in keyed state only until the
 * watermark shows nothing can join it any more. Attributions go to a committing file sink, so a
 * job killed at any moment and resumed with `--from latest` commits exactly the lines of a run
 * without the failure: both join buffers, their cleanup timers and the sources' positions are in
 * its checkpoints.
 *
 *   npx weir run examples/interval-join.ts --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --impressions 100000 --out /tmp/out
 *
 * Job arguments: --impressions N (default 30,000; every third gets a click), --users N (default
 * 40), --ads N (default 5), --rate N impressions per second (default unlimited), --out DIR.
 */
import {
  committingFileSink,
  defineJob,
  generatorSource,
  ProcessJoinFunction,
  WatermarkStrategy,
  type Collector,
  type ProcessJoinContext,
} from "weir";

export interface Impression {
  readonly id: number;
  readonly user: number;
  readonly ad: number;
  /** When the ad was shown, in milliseconds. */
  readonly at: number;
}

export interface Click {
  readonly id: number;
  readonly user: number;
  readonly ad: number;
  readonly at: number;
}

/** How long after an impression a click still counts for it, in milliseconds (both ends included). */
export const ATTRIBUTION_MS = 1_000;
/** How far out of order each stream is, at most. */
const IMPRESSIONS_LATE_MS = 400;
const CLICKS_LATE_MS = 2_000;

/** Impression `i`: 20 ms of event time apart, each shown up to 399 ms earlier than its place in the stream. */
export const impressionOf = (i: number, users: number, ads: number): Impression => ({
  id: i,
  user: i % users,
  ad: Math.floor(i / 7) % ads,
  at: 1_000 + i * 20 - ((i * 7919) % IMPRESSIONS_LATE_MS),
});

/** Click `j`: on the ad of impression 3j, 0–1.5 s after it (so some come too late to count). */
export const clickOf = (j: number, users: number, ads: number): Click => {
  const shown = impressionOf(3 * j, users, ads);
  return { id: j, user: shown.user, ad: shown.ad, at: shown.at + ((j * 31) % 1_500) };
};

/** The key both streams are joined on: one user seeing one ad. */
export const adView = (e: Impression | Click): string => `${e.user}/${e.ad}`;

/** One line per (click, impression) attributed: click id, impression id, user/ad, delay in ms. */
export const describeAttribution = (click: Click, impression: Impression): string => `${click.id},${impression.id},${adView(click)},${click.at - impression.at}`;

export class Attribute extends ProcessJoinFunction<Impression, Click, string> {
  processElement(impression: Impression, click: Click, _ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(describeAttribution(click, impression));
  }
}

export default defineJob((env, args) => {
  const impressions = args.number("impressions", 30_000, { min: 3, integer: true })!;
  const users = args.number("users", 40, { min: 1, integer: true })!;
  const ads = args.number("ads", 5, { min: 1, integer: true })!;
  const rate = args.number("rate", undefined, { min: 1 });
  const out = args.string("out", "./.weir/interval-join-out")!;
  const clicks = Math.floor(impressions / 3);

  const impressionStream = env
    .fromSource(
      generatorSource<Impression>({ count: impressions, eventsPerSecond: rate, generate: (i) => impressionOf(i, users, ads) }),
      WatermarkStrategy.forBoundedOutOfOrderness<Impression>(IMPRESSIONS_LATE_MS).withTimestampAssigner((e) => e.at),
      "impressions",
    )
    .uid("impressions");
  const clickStream = env
    .fromSource(
      generatorSource<Click>({ count: clicks, eventsPerSecond: rate === undefined ? undefined : rate / 3, generate: (j) => clickOf(j, users, ads) }),
      WatermarkStrategy.forBoundedOutOfOrderness<Click>(CLICKS_LATE_MS).withTimestampAssigner((e) => e.at),
      "clicks",
    )
    .uid("clicks");

  impressionStream
    .keyBy(adView)
    .intervalJoin(clickStream.keyBy(adView))
    .between(0, ATTRIBUTION_MS)
    .process(new Attribute())
    .uid("attribute")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("attributions");
});
