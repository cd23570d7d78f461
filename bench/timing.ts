/** What every benchmark shares: the record shape and a median-of-runs timer. */

export interface BenchRecord {
  readonly bench: string;
  readonly case: string;
  readonly median_ms: number;
  readonly min_ms: number;
  readonly runs: number;
  readonly [k: string]: unknown;
}

/** Runs `fn` `warmup` times untimed, then `runs` times; returns the median and the fastest (ms). */
export function timeIt(fn: () => void, runs: number, warmup: number): { median: number; min: number } {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, min: t[0]! };
}
