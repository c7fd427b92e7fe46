import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createDeviceCommands } from '../../../../../core/access/mqtt/device-commands.js';
import { createEventBus } from '../../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../../core/clock.js';
import type { DeviceResponse, MqttDialect, MqttPublish } from '../../../../../core/device-link/index.js';

function setup(dialect: MqttDialect | undefined, sent = true) {
  const clock = createManualClock(Date.UTC(2026, 10, 26, 8));
  const bus = createEventBus(() => undefined);
  const events: unknown[] = [];
  bus.subscribe('command', (e) => events.push(e));
  const published: { deviceId: string; message: MqttPublish }[] = [];
  const responses: DeviceResponse[] = [];
  const commands = createDeviceCommands({
    clock,
    bus,
    log: pino({ level: 'silent' }),
    link: { presence: () => undefined, response: (r) => void responses.push(r), message: () => undefined },
    downlink: {
      isConnected: () => dialect !== undefined,
      dialectOf: () => dialect,
      publish: (deviceId, message) => {
        published.push({ deviceId, message });
        return Promise.resolve(
          sent
            ? { sent: true, topic: message.topic ?? '', delivered: Promise.resolve(true) }
            : { sent: false, reason: 'gone' },
        );
      },
    },
  });
  return { clock, commands, published, responses, events };
}

const command = { serviceId: 'Light', commandName: 'SWITCH', paras: { value: 'ON' } };

describe('device commands', () => {
  it('sends an IoTDA command on its request_id topic and hands it the matching response', async () => {
    const { commands, published, responses, events } = setup('iotda');
    const sent = await commands.send('p_1', command);
    if (!sent.sent) throw new Error('not sent');
    expect(sent.topic).toBe(`$oc/devices/p_1/sys/commands/request_id=${sent.commandId}`);
    expect(published[0]?.message).toMatchObject({ topic: sent.topic, qos: 1 });
    commands.answered({ deviceId: 'p_1', commandId: sent.commandId, dialect: 'iotda', resultCode: 0, body: { a: 1 } });
    expect(await sent.response).toMatchObject({ resultCode: 0, body: { a: 1 }, matched: true });
    expect(responses).toEqual([
      {
        at: Date.UTC(2026, 10, 26, 8),
        deviceId: 'p_1',
        protocol: 'mqtt',
        commandId: sent.commandId,
        resultCode: 0,
        body: { a: 1 },
      },
    ]);
    expect(events).toEqual([expect.objectContaining({ deviceId: 'p_1', status: 'SUCCESSFUL' })]);
  });

  it('numbers legacy commands with a fresh mid per device', async () => {
    const { commands, published } = setup('legacy');
    const first = await commands.send('p_1', command);
    const second = await commands.send('p_1', command);
    expect([first, second].map((s) => s.sent && s.commandId)).toEqual(['1', '2']);
    expect(published.map((p) => (JSON.parse(String(p.message.payload)) as { mid: number }).mid)).toEqual([1, 2]);
    expect(published[0]?.message.topic).toBe('/huawei/v1/devices/p_1/command/json');
  });

  it('reports every response on the link, also one no command waits for, and times out a silent device', async () => {
    const { clock, commands, responses, events } = setup('iotda');
    commands.answered({ deviceId: 'p_1', commandId: 'late', dialect: 'iotda', resultCode: 2, body: {} });
    expect(responses.map((r) => r.commandId)).toEqual(['late']);
    expect(events).toEqual([expect.objectContaining({ status: 'FAILED' })]);
    const sent = await commands.send('p_1', command, { timeoutMs: 1000 });
    clock.advance(1000);
    expect(sent.sent && (await sent.response)).toBeUndefined();
  });

  it('does not send to a device without a session, nor wait when the publish fails', async () => {
    expect(await setup(undefined).commands.send('p_1', command)).toEqual({ sent: false });
    expect(await setup('iotda', false).commands.send('p_1', command)).toEqual({ sent: false });
  });
});
