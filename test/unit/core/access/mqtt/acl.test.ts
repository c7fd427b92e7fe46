import type { Aedes, AedesPublishPacket, Client, Subscription } from 'aedes';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MqttAccessContext } from '../../../../../core/access/mqtt/access-context.js';
import { installAcl, type UplinkHandler } from '../../../../../core/access/mqtt/acl.js';
import type { DynamicSecretLogins } from '../../../../../core/access/mqtt/dynamic-secret.js';
import type { RefusalInput } from '../../../../../core/access/mqtt/refusal-log.js';
import { SessionTable, type Session } from '../../../../../core/access/mqtt/session-table.js';

function setup() {
  const sessions = new SessionTable();
  const refusals: RefusalInput[] = [];
  const uplinks: string[] = [];
  const closes: string[] = [];
  const broker = {} as Aedes;
  const ctx = { sessions, log: pino({ level: 'silent' }), refuse: (r: RefusalInput) => void refusals.push(r) };
  const dynamic = { owns: () => false } as unknown as DynamicSecretLogins;
  const handle: UplinkHandler = (_s, _k, topic) => {
    uplinks.push(topic);
    return Promise.resolve();
  };
  installAcl(broker, ctx as unknown as MqttAccessContext, dynamic, handle);
  const client = { id: 'p_1_0_0_2026112612', close: () => void closes.push('closed') } as unknown as Client;
  const session: Session = {
    deviceId: 'p_1',
    productId: 'p',
    model: undefined,
    scope: { ids: ['p_1'], customTopics: [] },
    dialect: 'iotda',
    conn: { connectionId: 'c1', peer: '127.0.0.1:4000' } as Session['conn'],
    ready: true,
  };
  sessions.loggedIn(client, session);
  const subscribe = (topic: string) =>
    new Promise<{ error: Error | null; granted: Subscription | null | undefined }>((resolve) =>
      broker.authorizeSubscribe(client, { topic, qos: 1 }, (error, granted) => resolve({ error, granted })),
    );
  const publish = (topic: string) =>
    new Promise<Error | null | undefined>((resolve) =>
      broker.authorizePublish(
        client,
        { cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 1, dup: false, retain: false },
        (error) => resolve(error),
      ),
    );
  const tick = () => new Promise((r) => setImmediate(r));
  return { broker, client, session, refusals, uplinks, closes, subscribe, publish, tick };
}

describe('MQTT topic ACL', () => {
  it('refuses a foreign subscription with a null grant (SUBACK 0x80), records it and keeps the connection', async () => {
    const t = setup();
    expect(await t.subscribe('$oc/devices/p_2/sys/commands/#')).toEqual({ error: null, granted: null });
    await t.tick();
    expect(t.closes).toEqual([]);
    expect(t.refusals).toEqual([
      expect.objectContaining({
        kind: 'acl',
        deviceId: 'p_1',
        reason: 'subscribing to $oc/devices/p_2/sys/commands/# is not allowed for this device',
      }),
    ]);
  });

  it('grants its own filters, and a legacy command filter makes the session legacy', async () => {
    const t = setup();
    expect(await t.subscribe('/huawei/v1/devices/p_1/command/json')).toMatchObject({ error: null, granted: {} });
    expect(t.session.dialect).toBe('legacy');
  });

  it('closes the connection on a publish to a foreign topic, and routes its own uplinks', async () => {
    const t = setup();
    expect(await t.publish('$oc/devices/p_1/sys/properties/report')).toBeNull();
    expect(t.uplinks).toEqual(['$oc/devices/p_1/sys/properties/report']);
    expect(await t.publish('$oc/devices/p_2/sys/properties/report')).toBeInstanceOf(Error);
    await t.tick();
    expect(t.closes).toEqual(['closed']);
  });

  it('never echoes a device its own system uplinks nor forwards other devices topics to it', () => {
    const t = setup();
    const forward = (topic: string) =>
      t.broker.authorizeForward(t.client, { topic, payload: Buffer.alloc(0) } as AedesPublishPacket);
    expect(forward('$oc/devices/p_1/sys/properties/report')).toBeNull();
    expect(forward('$oc/devices/p_2/sys/messages/down')).toBeNull();
    expect(forward('$oc/devices/p_1/sys/messages/down')).not.toBeNull();
  });
});
