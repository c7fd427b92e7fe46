// AMQP 0-9-1 target (amqplib, e.g. RabbitMQ): persistent messages on a confirm channel; a batch resolves once the
// broker confirmed all of it.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Clock } from '../../clock.js';
import type { TargetConfig } from '../../contract/rules.js';
import { SEND_TIMEOUT_MS, fillTemplate, withTimeout, type TargetClient } from './target-client.js';

type AmqpConfig = Extract<TargetConfig, { kind: 'amqp' }>;

export function createAmqpTarget(config: AmqpConfig, clock: Clock): TargetClient {
  let open: { connection: ChannelModel; channel: ConfirmChannel } | undefined;

  const connect = async () => {
    if (open) return open;
    const connection = await withTimeout(
      clock,
      amqp.connect(config.url, {
        timeout: 10_000,
        ...(config.tls?.ca ? { ca: [config.tls.ca] } : {}),
        rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
      }),
      SEND_TIMEOUT_MS,
      'AMQP connect',
    );
    const drop = () => {
      if (open?.connection === connection) open = undefined;
    };
    connection.on('error', drop);
    connection.on('close', drop);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    channel.on('close', drop);
    if (config.exchange !== '') await channel.assertExchange(config.exchange, 'topic', { durable: true });
    if (config.queue !== undefined) {
      await channel.assertQueue(config.queue, { durable: true });
      if (config.exchange !== '') await channel.bindQueue(config.queue, config.exchange, '#');
    }
    open = { connection, channel };
    return open;
  };

  return {
    get connected() {
      return open !== undefined;
    },
    async send(messages) {
      const { channel } = await connect();
      for (const m of messages)
        channel.publish(config.exchange, fillTemplate(config.routingKey, m), Buffer.from(JSON.stringify(m)), {
          persistent: true,
          contentType: 'application/json',
        });
      await withTimeout(clock, channel.waitForConfirms(), SEND_TIMEOUT_MS, 'AMQP publisher confirm');
    },
    async close() {
      const o = open;
      open = undefined;
      if (o) await o.connection.close().catch(() => undefined);
    },
  };
}
