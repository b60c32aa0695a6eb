/** The public surface of the built-in sources. */
export type { InputStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from "./source.ts";
export { AVAILABLE } from "./source.ts";
export type {
  AnySource,
  ReaderOutput,
  SourceEvent,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
  SplitReaderContext,
  SplitSource,
  SplitSourceReader,
} from "./split-source.ts";
export { isSplitSource, SplitOutputs } from "./split-source.ts";
export { checkSplit, SourceReaderBase, type HeldSplit } from "./source-reader-base.ts";
export { elementsSource } from "./elements.ts";
export { SeededRandom } from "./seeded-random.ts";
export { generatorSource } from "./generator.ts";
export type { GeneratorOptions, GeneratorSource, IndexRangeEnumeratorState, IndexRangeSplit } from "./generator.ts";
export { fileLinesSource } from "./file-lines.ts";
export type { FileEnumeratorState, FileLinesOptions, FileLinesSource, FileSplit } from "./file-lines.ts";
export type { Auction, Bid, NexmarkEvent, NexmarkEventKind, Person } from "./nexmark/model.ts";
export {
  AUCTION_PROPORTION,
  BID_PROPORTION,
  DEFAULT_BASE_TIME,
  DEFAULT_EVENT_TIME_RATE,
  NexmarkConfig,
  PERSON_PROPORTION,
  TOTAL_PROPORTION,
} from "./nexmark/config.ts";
export type { NexmarkConfigOptions } from "./nexmark/config.ts";
export { FIRST_AUCTION_ID, FIRST_PERSON_ID, nexmarkEvent, nexmarkEventKind } from "./nexmark/generator.ts";
export { nexmarkSource } from "./nexmark/source.ts";
export type { NexmarkOptions } from "./nexmark/source.ts";
