/** Small statistics and formatting helpers for the benchmark table. */

/** The p-th percentile (0–100) of the values, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** p50 / p99 / max of a list of milliseconds. */
export function summary(values: readonly number[]) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

export const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
/** A difference with its sign: +12 ms, −3 MB. */
export const signed = (fmt: (n: number) => string, n: number) => (n < 0 ? `−${fmt(-n)}` : `+${fmt(n)}`);
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

/** One row of the results table. */
export interface Row {
  measure: string;
  bot: string;
  baseline: string;
  compared: string;
  goal: string;
}

/** The results as a markdown table. */
export function table(rows: readonly Row[]): string {
  const head = '| measure | bot | baseline | bot vs baseline | goal |\n|---|---|---|---|---|';
  return [
    head,
    ...rows.map((r) => `| ${r.measure} | ${r.bot} | ${r.baseline} | ${r.compared} | ${r.goal} |`),
  ].join('\n');
}

/** Waits until `when` (a Date.now() value); the load generator's pacing. */
export function until(when: number): Promise<void> {
  const wait = when - Date.now();
  return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
}
