/** One measured figure of a benchmark, as it is written into docs/PERFORMANCE.md. */
export interface BenchFigure {
  label: string;
  value: string;
  /** The target the figure is held against, e.g. "p99 < 50 ms", and whether it was met. */
  target?: { text: string; met: boolean };
}

/** What one benchmark reports back to `npm run bench`. */
export interface BenchResult {
  name: string;
  /** What was measured and how, in one or two sentences. */
  method: string;
  figures: BenchFigure[];
  notes?: string[];
}
