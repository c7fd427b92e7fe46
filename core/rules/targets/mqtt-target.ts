// MQTT broker target (mqtt.js): publishes each message on its topic template; QoS 1/2 resolve on the broker's ack.
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../../clock.js';
import type { TargetConfig } from '../../contract/rules.js';
import { SEND_TIMEOUT_MS, fillTemplate, withTimeout, type TargetClient } from './target-client.js';

type MqttConfig = Extract<TargetConfig, { kind: 'mqtt' }>;

export function createMqttTarget(config: MqttConfig, clock: Clock, clientId: string): TargetClient {
  let client: MqttClient | undefined;

  const connect = async (): Promise<MqttClient> => {
    if (client?.connected) return client;
    client?.end(true);
    client = undefined;
    const c = await withTimeout(
      clock,
      mqtt.connectAsync(config.url, {
        clientId: config.clientId ?? clientId,
        // The sender retries with back-off; mqtt.js must not reconnect on its own behind it.
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        ...(config.username !== undefined ? { username: config.username } : {}),
        ...(config.password !== undefined ? { password: config.password } : {}),
        ...(config.tls?.ca ? { ca: config.tls.ca } : {}),
        rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
      }),
      SEND_TIMEOUT_MS,
      'MQTT connect',
    );
    c.on('error', () => undefined);
    client = c;
    return c;
  };

  return {
    get connected() {
      return client?.connected ?? false;
    },
    async send(messages) {
      const c = await connect();
      await withTimeout(
        clock,
        Promise.all(
          messages.map((m) => c.publishAsync(fillTemplate(config.topic, m), JSON.stringify(m), { qos: config.qos })),
        ),
        SEND_TIMEOUT_MS,
        'MQTT publish',
      );
    },
    async close() {
      const c = client;
      client = undefined;
      if (c) await c.endAsync(true);
    },
  };
}
