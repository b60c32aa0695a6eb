/**
 * The producer's end of one channel, with credit-based flow control: a batch is sent only while
 * the consumer has granted credit (one credit = one batch it has room for); otherwise it waits in
 * the backlog, in order, until credit returns. Events need no credit but never overtake batches.
 * A task whose channel has a backlog takes no new input, which is how back-pressure travels
 * upstream and memory stays bounded.
 *
 * An unaligned checkpoint's barrier overtakes the backlog (`sendAhead`); the batches it overtook
 * (`backloggedBatches`) are that checkpoint's output channel state, and are still sent after it.
 *
 * With buffer debloating the consumer announces the batch size it wants (`announceBatchSize`);
 * the record writer sends a channel's batch once it holds that many records.
 */
import { isBatch, type ChannelItem } from "./channel-item.ts";

export class OutputChannel {
  private credits: number;
  private readonly backlog: ChannelItem[] = [];
  /** Records per batch the consumer asked for; Infinity leaves the writer's own buffer size. */
  batchSize = Number.POSITIVE_INFINITY;

  constructor(
    readonly id: number,
    initialCredits: number,
    private readonly transmit: (item: ChannelItem) => void,
    /**
     * The consumer runs on this thread and receives the very records sent; a channel to another
     * thread encodes them, so its consumer gets copies.
     */
    readonly local = true,
  ) {
    this.credits = initialCredits;
  }

  send(item: ChannelItem): void {
    if (this.backlog.length === 0 && this.trySend(item)) return;
    this.backlog.push(item);
  }

  /** Sends an event now, ahead of the backlog. */
  sendAhead(event: ChannelItem): void {
    this.transmit(event);
  }

  /** The batches waiting for credit, in order. */
  backloggedBatches(): ChannelItem[] {
    return this.backlog.filter(isBatch);
  }

  /** The consumer's debloated batch size (at least one record). */
  announceBatchSize(records: number): void {
    this.batchSize = Math.max(1, records);
  }

  addCredits(n: number): void {
    this.credits += n;
    while (this.backlog.length > 0 && this.trySend(this.backlog[0]!)) this.backlog.shift();
  }

  get backlogged(): boolean {
    return this.backlog.length > 0;
  }

  private trySend(item: ChannelItem): boolean {
    if (isBatch(item)) {
      if (this.credits === 0) return false;
      this.credits--;
    }
    this.transmit(item);
    return true;
  }
}
