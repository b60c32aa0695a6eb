/**
 * Durations as written on the command line: a number and a unit, `ms`, `s`, `m` or `h`
 * (`250ms`, `1.5s`, `10m`, `1h`); `0` needs no unit. Values are whole milliseconds.
 */

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

export const DURATION_SYNTAX = "a number with a unit ms, s, m or h, like 500ms, 1.5s or 10m, that makes whole milliseconds";

/** Milliseconds `text` stands for, or undefined if it is not a duration of whole milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const exact = Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
  const ms = Math.round(exact);
  return Math.abs(exact - ms) < 1e-6 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest form `parseDuration` reads back as `ms`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  for (const unit of ["h", "m", "s"] as const) {
    if (ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
