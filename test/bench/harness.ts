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
