/**
 * Encodes record batches for crossing threads. Each record is written by the rule of the value
 * codec (core/value-codec.ts): it arrives as structuredClone would copy it (Maps, Sets, Dates,
 * bigints, typed arrays, -0, undefined against missing fields, objects shared within the
 * record; a class instance as a plain object of its fields), and a record holding a function, a
 * symbol or a weak collection fails the send with WEIR_ERR_VALUE_NOT_SERIALIZABLE and its path. Records are not shared with each other: two
 * records holding one object arrive holding a copy each.
 *
 * Format: one flag byte (1 when some record is a V8 slot), then the MessagePack of the array of
 * records' slots, with record structures (an array of same-shaped objects stores its field names
 * once) and bundled strings (the batch's text is decoded in one piece). Each encoded batch is
 * self-contained and owns its buffer, so it can be transferred without copying.
 */
import { Packr, Unpackr } from "msgpackr";
import { fromSlot, inspectValue, serializeRich } from "../../core/value-codec.ts";

export class BatchCodec {
  private readonly packr = new Packr({ useRecords: true, bundleStrings: true });
  private readonly unpackr = new Unpackr({ useRecords: true, bundleStrings: true });

  encode(records: readonly unknown[]): Uint8Array {
    let slots: unknown[] | undefined;
    let i = 0;
    const where = () => `record #${i + 1} of a batch sent to another thread`;
    for (; i < records.length; i++) {
      const record = records[i];
      if (inspectValue(record, where) === "plain") continue;
      slots ??= records.slice();
      slots[i] = serializeRich(record, where);
    }
    const packed = this.packr.pack(slots ?? records);
    const owned = new Uint8Array(packed.length + 1);
    owned[0] = slots === undefined ? 0 : 1;
    owned.set(packed, 1);
    return owned;
  }

  decode(bytes: Uint8Array): unknown[] {
    const records = this.unpackr.unpack(bytes.subarray(1)) as unknown[];
    if (bytes[0] === 1) for (let i = 0; i < records.length; i++) records[i] = fromSlot(records[i], "a batch received from another thread");
    return records;
  }
}
