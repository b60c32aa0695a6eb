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

const label = (o: OptionSpec) => (o.short === undefined ? `    ${optionLabel(o)}` : `-${o.short}, ${optionLabel(o)}`);

function optionRows(options: readonly OptionSpec[], column: number): string[] {
  return options.flatMap((o) => {
    const text = o.defaultText === undefined ? o.description : `${o.description} (default: ${o.defaultText})`;
    const [first = "", ...rest] = wrap(text, WIDTH - column - 2);
    return [`  ${label(o).padEnd(column)}${first}`, ...rest.map((l) => `  ${" ".repeat(column)}${l}`)];
  });
}

/** One section per option group, in the order groups first appear; every section aligns to one column. */
function optionSections(options: readonly OptionSpec[]): string[] {
  const column = Math.max(...options.map((o) => label(o).length)) + 4;
  const groups = [...new Set(options.map((o) => o.group ?? "Options"))];
  return groups.map((g) => [`${g}:`, ...optionRows(options.filter((o) => (o.group ?? "Options") === g), column)].join("\n"));
}

export function commandHelp(command: Command): string {
  const sections = [
    `Usage: ${command.usage}`,
    ...command.description.map((p) => wrap(p, WIDTH).join("\n")),
    ...optionSections(command.options),
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
  const nameWidth = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    "weir: runs stream-processing jobs written in TypeScript.",
    ["Usage:", ...rows.map(([usage, summary]) => `  ${usage.padEnd(width)}${summary}`)].join("\n"),
    ["Commands:", ...commands.map((c) => `  ${c.name.padEnd(nameWidth)}${c.summary}`)].join("\n"),
    "Run 'weir run --help' to see the options of a run, with their defaults.",
  ].join("\n\n") + "\n";
}
