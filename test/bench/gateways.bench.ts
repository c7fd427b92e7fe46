// Gateways: 1,000 sub-devices behind one gateway, added by the gateway itself (add_sub_device_request, 100 per
// request) and reported in QoS 1 batch reports of 100 sub-devices each, vs the same values sent as direct device
// property reports by 20 directly connected devices in the same run. Clients are mqtt.js in this process; every
// publish waits for its PUBACK, which comes after the values are committed, so acknowledged = stored.
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform } from '../../core/platform.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import type { Benchmark } from './harness.js';

const SUB_DEVICES = Number(process.env.BENCH_GATEWAY_SUB_DEVICES ?? 1000);
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 4);
const PAGE = 100;
const DIRECT = 20;
const VALUES_PER_REPORT = 2;

async function connect(port: number, deviceId: string, secret: string): Promise<MqttClient> {
  const ts = timestampOf(Date.now());
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `${deviceId}_0_0_${ts}`,
    username: deviceId,
    password: mqttPassword(secret, ts),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

const properties = (i: number) => ({ switch: i % 2 ? 'ON' : 'OFF', brightness: i % 101 });

export const benchmark: Benchmark = {
  name: `Gateways: ${SUB_DEVICES} sub-devices behind one gateway in batch reports vs the same values as direct reports`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-gateways-'));
    const platform = createPlatform({
      dataDir,
      apiPort: 0,
      mqttPort: 0,
      coapPort: 0,
      northboundPort: 0,
      deviceBindAddress: '127.0.0.1',
      logLevel: 'warn',
    });
    const runtime = await platform.start();
    const port = runtime.ports.mqtt ?? 0;
    const api = async <T>(path: string, body?: unknown): Promise<T> =>
      (await (
        await fetch(runtime.apiUrl + path, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      ).json()) as T;
    const clients: MqttClient[] = [];
    try {
      const gwProduct = (await api<{ id: string }>('/api/products/samples/Gateway_WorkbenchSamples_GW100MQTT', {})).id;
      const lamp = (await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', {})).id;
      const gw = await api<{ device: { deviceId: string }; secret: string }>('/api/devices', {
        productId: gwProduct,
        nodeId: 'bench-gw',
      });
      const gatewayId = gw.device.deviceId;
      const gateway = await connect(port, gatewayId, gw.secret);
      clients.push(gateway);

      // The gateway adds its sub-devices itself and waits for every response.
      const responses = new Promise<void>((resolve) => {
        let left = Math.ceil(SUB_DEVICES / PAGE);
        gateway.on('message', (topic, payload) => {
          if (topic.endsWith('/sys/events/down') && payload.includes('add_sub_device_response') && --left === 0)
            resolve();
        });
      });
      const addStart = performance.now();
      const subIds: string[] = [];
      for (let page = 0; page * PAGE < SUB_DEVICES; page++) {
        const devices = Array.from({ length: Math.min(PAGE, SUB_DEVICES - page * PAGE) }, (_, k) => {
          const nodeId = `sub-${page * PAGE + k}`;
          subIds.push(`${lamp}_${nodeId}`);
          return { node_id: nodeId, product_id: lamp };
        });
        await gateway.publishAsync(
          `$oc/devices/${gatewayId}/sys/events/up`,
          JSON.stringify({
            services: [{ service_id: '$sub_device_manager', event_type: 'add_sub_device_request', paras: { devices } }],
          }),
          { qos: 1 },
        );
      }
      await responses;
      const addMs = performance.now() - addStart;

      // Batch reports: every round reports all sub-devices, PAGE per message, all messages in flight at once.
      const batchTopic = `$oc/devices/${gatewayId}/sys/gateway/sub_devices/properties/report`;
      const batchMessages: string[] = [];
      for (let round = 0; round < ROUNDS; round++)
        for (let i = 0; i < subIds.length; i += PAGE)
          batchMessages.push(
            JSON.stringify({
              devices: subIds.slice(i, i + PAGE).map((device_id, k) => ({
                device_id,
                services: [{ service_id: 'Light', properties: properties(round + k) }],
              })),
            }),
          );
      const batchStart = performance.now();
      await Promise.all(batchMessages.map((m) => gateway.publishAsync(batchTopic, m, { qos: 1 })));
      const batchS = (performance.now() - batchStart) / 1000;
      const batchValues = batchMessages.length * PAGE * VALUES_PER_REPORT;

      // Baseline: the same number of values as direct property reports of DIRECT devices, all in flight at once.
      const direct = await Promise.all(
        Array.from({ length: DIRECT }, async (_, i) => {
          const r = await api<{ device: { deviceId: string }; secret: string }>('/api/devices', {
            productId: lamp,
            nodeId: `direct-${i}`,
          });
          const client = await connect(port, r.device.deviceId, r.secret);
          clients.push(client);
          return { client, topic: `$oc/devices/${r.device.deviceId}/sys/properties/report` };
        }),
      );
      const directReports = batchValues / VALUES_PER_REPORT;
      const perClient = Math.ceil(directReports / DIRECT);
      const directStart = performance.now();
      await Promise.all(
        direct.map(({ client, topic }) =>
          Promise.all(
            Array.from({ length: perClient }, (_, k) =>
              client.publishAsync(
                topic,
                JSON.stringify({ services: [{ service_id: 'Light', properties: properties(k) }] }),
                {
                  qos: 1,
                },
              ),
            ),
          ),
        ),
      );
      const directS = (performance.now() - directStart) / 1000;
      const directValues = perClient * DIRECT * VALUES_PER_REPORT;

      const db = new Database(join(dataDir, 'workbench.db'), { readonly: true });
      const stored = (
        db
          .prepare('SELECT (SELECT COUNT(*) FROM data_history) + (SELECT COUNT(*) FROM data_history_recent) AS n')
          .get() as { n: number }
      ).n;
      db.close();
      if (stored !== batchValues + directValues)
        throw new Error(`stored ${stored} property values, expected ${batchValues + directValues}`);

      const batchValuesPerS = batchValues / batchS;
      const directValuesPerS = directValues / directS;
      return {
        rows: [
          { label: `gateway adds ${SUB_DEVICES} sub-devices (${PAGE} per request)`, value: addMs, unit: 'ms' },
          {
            label: `batch reports of ${PAGE} sub-devices`,
            value: batchMessages.length / batchS,
            unit: 'batch reports/s',
          },
          { label: 'sub-device values stored via the gateway', value: batchValuesPerS, unit: 'values/s' },
          {
            label: `baseline: direct reports of ${DIRECT} devices`,
            value: (perClient * DIRECT) / directS,
            unit: 'reports/s',
          },
          { label: 'baseline: values stored from direct reports', value: directValuesPerS, unit: 'values/s' },
          { label: 'property values stored and queryable', value: stored, unit: 'rows' },
        ],
        ratio: {
          label: 'values/s via gateway batches / via direct reports',
          value: batchValuesPerS / directValuesPerS,
        },
      };
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
