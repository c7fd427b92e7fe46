// Shape of a benchmark: figures plus, where it makes sense, a ratio against a baseline measured in the same run.
export interface BenchmarkResult {
  rows: { label: string; value: number; unit: string }[];
  ratio?: { label: string; value: number };
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchmarkResult>;
}

/** Repeats fn until at least minMs have passed; returns operations per second. */
export async function opsPerSecond(fn: () => Promise<number> | number, minMs = 1500): Promise<number> {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) ops += await fn();
  return (ops * 1000) / (performance.now() - start);
}

/** Runs fn `runs` times one after another; returns the p50 and p99 of its durations in ms. */
export async function latencyPercentiles(
  fn: () => Promise<unknown>,
  runs = 200,
): Promise<{ p50: number; p99: number }> {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    durations.push(performance.now() - start);
  }
  durations.sort((a, b) => a - b);
  const at = (p: number) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}
