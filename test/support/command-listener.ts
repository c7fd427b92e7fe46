// A device session over mqtt.js that listens for its commands and collects every downlink it gets.
import mqtt from 'mqtt';
import { deviceLogin } from './device-api.js';

export interface Downlink {
  topic: string;
  json: Record<string, unknown>;
}

export async function connectCommandListener(
  port: number,
  device: { deviceId: string; secret: string; nowMs: number },
  downlinks: Downlink[],
): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    ...deviceLogin(device.deviceId, device.secret, { nowMs: device.nowMs }),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync(`$oc/devices/${device.deviceId}/sys/commands/#`, { qos: 1 });
  client.on('message', (topic, payload) =>
    downlinks.push({ topic, json: JSON.parse(payload.toString()) as Record<string, unknown> }),
  );
  return client;
}
