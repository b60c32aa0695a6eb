/**
 * Event time's progress: a watermark t says that no more records with a timestamp <= t are
 * expected. Timestamps and watermarks are milliseconds as numbers. Before any watermark an
 * operator's watermark is `MIN_WATERMARK`; a bounded input ends with `MAX_WATERMARK`, which fires
 * every pending event-time timer (Flink's Long.MIN_VALUE / Long.MAX_VALUE).
 */
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

export class Watermark {
  static readonly MAX_WATERMARK = new Watermark(MAX_WATERMARK);
  static readonly UNINITIALIZED = new Watermark(MIN_WATERMARK);

  constructor(readonly timestamp: number) {}

  getTimestamp(): number {
    return this.timestamp;
  }

  toString(): string {
    return `Watermark @ ${this.timestamp}`;
  }
}
