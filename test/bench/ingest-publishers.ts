// The publishing devices of ingest.bench.ts, in their own process so broker and clients do not share an event loop.
// Usage: run-ts.mjs ingest-publishers.ts <logins.json> <port> <messagesPerClient> [ratePerSecond]
// Without a rate every client publishes its reports back to back (closed loop: the broker's capacity); with a rate
// the clients together offer that many reports per second on a fixed schedule (open loop: latency at a given load,
// measured from the scheduled time so a stalled broker cannot hide its delay). Prints one JSON line of figures.
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';

interface Login {
  clientId: string;
  username: string;
  password: string;
  topic: string;
}

const [file, portText, perClientText, rateText] = process.argv.slice(2);
const logins = JSON.parse(readFileSync(file!, 'utf8')) as Login[];
const port = Number(portText);
const perClient = Number(perClientText);
const rate = rateText ? Number(rateText) : undefined;

const clients: MqttClient[] = [];
const connectStart = performance.now();
for (let i = 0; i < logins.length; i += 100) {
  clients.push(
    ...(await Promise.all(
      logins.slice(i, i + 100).map((l) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
          clientId: l.clientId,
          username: l.username,
          password: l.password,
          protocolVersion: 4,
          reconnectPeriod: 0,
          keepalive: 120,
        }),
      ),
    )),
  );
}
const connectMs = performance.now() - connectStart;

const report = (c: number, i: number) =>
  JSON.stringify({
    services: [{ service_id: 'Light', properties: { brightness: (c + i) % 100, switch: i % 2 ? 'ON' : 'OFF' } }],
  });

const latencies: number[] = [];
const start = performance.now();
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
await Promise.all(
  clients.map(async (client, c) => {
    // Open loop: client c's i-th report is due at start + (i * clients + c) / rate seconds.
    const pending: Promise<void>[] = [];
    for (let i = 0; i < perClient; i++) {
      const due = rate ? start + ((i * clients.length + c) * 1000) / rate : performance.now();
      if (rate) await sleepUntil(due);
      const sent = client.publishAsync(logins[c]!.topic, report(c, i), { qos: 1 }).then(() => {
        latencies.push(performance.now() - due);
      });
      if (rate) pending.push(sent);
      else await sent;
    }
    await Promise.all(pending);
  }),
);
const seconds = (performance.now() - start) / 1000;
await Promise.all(clients.map((c) => c.endAsync()));
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    perSecond: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    connectMs,
    // Wall-clock start of the schedule: another process derives each report's due time from it.
    startEpochMs: performance.timeOrigin + start,
    clientRssMb: process.memoryUsage().rss / 1024 / 1024,
  }),
);
process.exit(0);
