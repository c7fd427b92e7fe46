// Kafka target (kafkajs): the platform's message-queue target; each batch is produced with acks from all in-sync
// replicas, keyed by device so one device's messages stay in order on one partition.
import { Kafka, logLevel, type Producer, type SASLOptions } from 'kafkajs';
import type { Clock } from '../../clock.js';
import type { ForwardMessage, TargetConfig } from '../../contract/rules.js';
import { SEND_TIMEOUT_MS, fillTemplate, withTimeout, type TargetClient } from './target-client.js';

type KafkaConfig = Extract<TargetConfig, { kind: 'kafka' }>;

export function createKafkaTarget(config: KafkaConfig, clock: Clock): TargetClient {
  const sasl: SASLOptions | undefined = config.sasl
    ? config.sasl.mechanism === 'plain'
      ? { mechanism: 'plain', username: config.sasl.username, password: config.sasl.password }
      : config.sasl.mechanism === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', username: config.sasl.username, password: config.sasl.password }
        : { mechanism: 'scram-sha-512', username: config.sasl.username, password: config.sasl.password }
    : undefined;
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    // The sender retries with back-off; the client fails fast so the state shows the reason.
    retry: { retries: 0 },
    ...(config.tls
      ? {
          ssl: { rejectUnauthorized: config.tls.rejectUnauthorized, ...(config.tls.ca ? { ca: [config.tls.ca] } : {}) },
        }
      : {}),
    ...(sasl ? { sasl } : {}),
  });
  let producer: Producer | undefined;
  let connected = false;

  const connect = async (): Promise<Producer> => {
    if (producer && connected) return producer;
    const p = producer ?? kafka.producer({ allowAutoTopicCreation: true });
    producer = p;
    p.on(p.events.DISCONNECT, () => (connected = false));
    await withTimeout(clock, p.connect(), SEND_TIMEOUT_MS, 'Kafka connect');
    connected = true;
    return p;
  };

  return {
    get connected() {
      return connected;
    },
    async send(messages) {
      const p = await connect();
      const byTopic = new Map<string, ForwardMessage[]>();
      for (const m of messages) {
        const topic = fillTemplate(config.topic, m);
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), m]);
      }
      try {
        await withTimeout(
          clock,
          p.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, list]) => ({
              topic,
              messages: list.map((m) => ({ key: m.deviceId, value: JSON.stringify(m) })),
            })),
          }),
          SEND_TIMEOUT_MS,
          'Kafka produce',
        );
      } catch (error) {
        connected = false;
        throw error;
      }
    },
    async close() {
      const p = producer;
      producer = undefined;
      connected = false;
      if (p) await p.disconnect().catch(() => undefined);
    },
  };
}
