/**
 * Human-friendly numbers for terminal output: counts with a unit suffix (1.2M, 350k), rates per
 * second, and durations. Counts take at most five characters, so columns of them line up.
 */

const UNITS = ["", "k", "M", "G", "T"] as const;

/** 412, 12.3k, 350k, 1.2M: one decimal below a hundred units, none above. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const sign = n < 0 ? "-" : "";
  let value = Math.abs(n);
  if (value < 999.5) return sign + String(Math.round(value));
  let unit = 0;
  while (unit < UNITS.length - 1 && value >= 999.5) {
    value /= 1000;
    unit++;
  }
  return sign + (value < 99.95 ? value.toFixed(1) : value.toFixed(0)) + UNITS[unit];
}

/** A rate in records per second, as in "350k/s". */
export function formatRate(perSecond: number): string {
  return `${formatCount(perSecond)}/s`;
}

/** 340ms, 4.2s, 3m05s, 1h02m03s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (v: number) => String(v).padStart(2, "0");
  return h > 0 ? `${h}h${pad(m)}m${pad(s)}s` : `${m}m${pad(s)}s`;
}
