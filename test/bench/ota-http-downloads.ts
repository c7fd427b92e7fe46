// Child process of ota.bench.ts, the MQTT baseline: downloads URL COUNT times, CONCURRENCY at once, over plain HTTP
// (one GET each, no token, no MQTT). Prints one JSON line: wall time, bytes received and this process's CPU.
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url = '', count = 0, concurrency = 1] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a))) as [
  string,
  number,
  number,
];

const download = () =>
  new Promise<number>((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (b: Buffer) => (bytes += b.length));
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    }).on('error', reject);
  });

const cpu0 = process.cpuUsage();
const start = performance.now();
let next = 0;
let bytes = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let n = next++; n < count; n = next++) {
      const got = await download();
      bytes += got;
    }
  }),
);
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ ms: performance.now() - start, bytes, cpuMs: (cpu.user + cpu.system) / 1000 }));
