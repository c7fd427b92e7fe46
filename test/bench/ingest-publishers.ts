// The publishing devices of ingest.bench.ts, in their own process so broker and clients do not share an event loop.
// Usage: run-ts.mjs ingest-publishers.ts <logins.json> <port> <messagesPerClient>; prints one JSON line of figures.
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';

interface Login {
  clientId: string;
  username: string;
  password: string;
  topic: string;
}

const [file, portText, perClientText] = process.argv.slice(2);
const logins = JSON.parse(readFileSync(file!, 'utf8')) as Login[];
const port = Number(portText);
const perClient = Number(perClientText);

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

const latencies: number[] = [];
const start = performance.now();
await Promise.all(
  clients.map(async (client, c) => {
    for (let i = 0; i < perClient; i++) {
      const payload = JSON.stringify({
        services: [{ service_id: 'Light', properties: { brightness: (c + i) % 100, switch: i % 2 ? 'ON' : 'OFF' } }],
      });
      const t0 = performance.now();
      await client.publishAsync(logins[c]!.topic, payload, { qos: 1 });
      latencies.push(performance.now() - t0);
    }
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
    clientRssMb: process.memoryUsage().rss / 1024 / 1024,
  }),
);
process.exit(0);
