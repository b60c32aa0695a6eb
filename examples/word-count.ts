/**
 * Word count over the lines of text files: the "hello world" of stream processing.
 *
 * Lines are split into lowercase words, keyed by word, and summed. The sum is rolling: each word's
 * count is emitted again every time the word appears, so the last line for a word is its total.
 *
 *   npx weir run examples/word-count.ts
 *   npx weir run examples/word-count.ts -- --input docs/errors.md --out /tmp/word-counts
 *
 * Job arguments: --input PATH (default README.md; repeat the positional form to read several
 * files: `-- a.txt b.txt`), --out DIR (write `DIR/part-<subtask>` files instead of printing).
 */
import { defineJob, fileLinesSource } from "weir";

interface WordCount {
  readonly word: string;
  readonly count: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export default defineJob((env, args) => {
  const inputs = args.positionals.length > 0 ? [...args.positionals] : [args.string("input", "README.md")];
  const counts = env
    .fromSource(fileLinesSource(inputs), "lines")
    .flatMap((line: string) => Array.from(line.toLowerCase().matchAll(WORD), (m): WordCount => ({ word: m[0], count: 1 })))
    .name("Split words")
    .keyBy((w) => w.word)
    .sum("count")
    .name("Count")
    .map((w) => `${w.word} ${w.count}`);
  const out = args.string("out");
  if (out === undefined) counts.print();
  else counts.writeAsText({ dir: out });
});
