/**
 * Encodes record batches for crossing threads. MessagePack with record structures (an array of
 * same-shaped objects stores its field names once) and bundled strings (the batch's text is
 * decoded in one piece). Each encoded batch is self-contained and owns its buffer, so it can be
 * transferred without copying.
 */
import { Packr, Unpackr } from "msgpackr";

export class BatchCodec {
  private readonly packr = new Packr({ useRecords: true, bundleStrings: true });
  private readonly unpackr = new Unpackr({ useRecords: true, bundleStrings: true });

  encode(records: readonly unknown[]): Uint8Array {
    const packed = this.packr.pack(records);
    const owned = new Uint8Array(packed.length);
    owned.set(packed);
    return owned;
  }

  decode(bytes: Uint8Array): unknown[] {
    return this.unpackr.unpack(bytes) as unknown[];
  }
}
