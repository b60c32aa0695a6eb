/**
 * Help texts, generated from the commands' option specs so that every option is explained, with
 * its default, wherever it exists.
 */
import { optionLabel, type OptionSpec } from "./args.ts";
import type { Command } from "./command.ts";

const WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function optionRows(options: readonly OptionSpec[]): string[] {
  const labels = options.map((o) => (o.short === undefined ? `    ${optionLabel(o)}` : `-${o.short}, ${optionLabel(o)}`));
  const column = Math.max(...labels.map((l) => l.length)) + 4;
  return options.flatMap((o, i) => {
    const text = o.defaultText === undefined ? o.description : `${o.description} (default: ${o.defaultText})`;
    const [first = "", ...rest] = wrap(text, WIDTH - column - 2);
    return [`  ${labels[i]!.padEnd(column)}${first}`, ...rest.map((l) => `  ${" ".repeat(column)}${l}`)];
  });
}

export function commandHelp(command: Command): string {
  const sections = [
    `Usage: ${command.usage}`,
    ...command.description.map((p) => wrap(p, WIDTH).join("\n")),
    ["Options:", ...optionRows(command.options)].join("\n"),
    ...command.notes.map((n) => [`${n.title}:`, ...n.lines.map((l) => `  ${l}`)].join("\n")),
    ["Examples:", ...command.examples.flatMap((e) => [`  # ${e.note}`, `  ${e.command}`])].join("\n"),
  ];
  return sections.join("\n\n") + "\n";
}

export function mainHelp(commands: readonly Command[]): string {
  const rows: [string, string][] = [
    ...commands.map((c): [string, string] => [c.usage, c.summary]),
    ["weir <command> --help", "explain a command and all its options"],
    ["weir --help", "show this help"],
    ["weir --version", "print the version of Weir"],
  ];
  const width = Math.max(...rows.map(([u]) => u.length)) + 4;
  return [
    "weir: runs stream-processing jobs written in TypeScript.",
    ["Usage:", ...rows.map(([usage, summary]) => `  ${usage.padEnd(width)}${summary}`)].join("\n"),
    ["Commands:", ...commands.map((c) => `  ${c.name.padEnd(8)}${c.summary}`)].join("\n"),
    "Run 'weir run --help' to see the options of a run, with their defaults.",
  ].join("\n\n") + "\n";
}
