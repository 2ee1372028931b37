/** Small helpers so every number is printed the same way, next to its baseline. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function summarize(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

/** Runs `fn` n times, one after another, and returns each run's milliseconds. */
export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return samples;
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;

export const us = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
export const ratio = (x: number) => `${x.toFixed(2)}x`;

/** One printed figure, as `npm run bench -- --json` gives it. */
export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  baseline: { name: string; value: number; unit: string } | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  note: string;
}

export const figures: Figure[] = [];

const num = (s: string) => Number(s.replace(/,/g, ""));

/**
 * Prints a figure on one line (label, value, then its baseline, ratio and target in words) and records it
 * for --json, read back from that same line so the two can never disagree.
 */
export function line(label: string, value: string, note = ""): void {
  console.log(`  ${label.padEnd(44)} ${value.padStart(14)}  ${note}`);
  const v = /^(-?[\d.,]+)\s*(.*)$/.exec(value.trim());
  const base = /baseline (.*?)\s*(?<![\w.])(-?\d[\d.,]*)\s*(ms|µs|s|MB|req\/s|events\/s|rows\/s)?(?=[\s;,)]|$)/.exec(
    note,
  );
  const target = /target ([^:]+): (met|MISSED)/.exec(note);
  // The ratio: the value itself when it is one, else the last "N.NNx" of the note outside its target clause.
  const ratios = [...note.replace(/target [^:]+: (met|MISSED).*$/, "").matchAll(/(\d+(?:\.\d+)?)x\b/g)];
  figures.push({
    name: label,
    value: v ? num(v[1] ?? "") : value,
    unit: v ? (v[2] ?? "") : "",
    baseline: base
      ? { name: (base[1] ?? "").replace(/[:\s]+$/, ""), value: num(base[2] ?? ""), unit: base[3] ?? "" }
      : null,
    ratio: v?.[2] === "x" ? num(v[1] ?? "") : ratios.length > 0 ? Number(ratios.at(-1)?.[1]) : null,
    target: target?.[1] ?? null,
    met: target ? target[2] === "met" : null,
    note,
  });
}

/** "met", or "MISSED by <how much>" for a figure that must stay at most `limit`. */
export function atMost(value: number, limit: number, unit: string): string {
  if (value <= limit) return "met";
  const over = value - limit;
  return `MISSED by ${over.toFixed(over < 10 ? 1 : 0)} ${unit} (${ratio(value / limit)} the target)`;
}

/** "met", or "MISSED by <how much>" for a figure that must reach at least `floor`. */
export function atLeast(value: number, floor: number, unit: string): string {
  if (value >= floor) return "met";
  const under = floor - value;
  return `MISSED by ${under.toFixed(under < 10 ? 1 : 0)} ${unit} (${ratio(value / floor)} the target)`;
}
