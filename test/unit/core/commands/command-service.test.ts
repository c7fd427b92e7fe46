// The command state machine under a moved clock, with the real device-link hub and scripted adapter halves.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { statusOfError } from '../../../../core/api/error-statuses.js';
import { createManualClock, type ManualClock } from '../../../../core/clock.js';
import { CommandStore, commandMigrations } from '../../../../core/commands/command-store.js';
import { ACK_TIMEOUT_MS, CommandService, MQTT_ONLINE_GRACE_MS } from '../../../../core/commands/command-service.js';
import {
  createCommandBodySchema,
  type CreateCommandBody,
  type DeviceCommand,
} from '../../../../core/contract/commands.js';
import type { Lwm2mOperationResult } from '../../../../core/contract/lwm2m.js';
import type { ProductModel } from '../../../../core/contract/product-model.js';
import { createDeviceLinkHub, type Lwm2mServer, type MqttDialect } from '../../../../core/device-link/index.js';
import { DomainError } from '../../../../core/domain-error.js';
import { runMigrations } from '../../../../core/store/migrations.js';

const model = (protocolType: ProductModel['protocolType']): ProductModel => ({
  deviceType: 'Light',
  manufacturerId: 'Acme',
  manufacturerName: 'Acme',
  model: 'L1',
  protocolType,
  omCapability: {},
  customTopics: [],
  services: [
    {
      serviceId: 'Light',
      serviceType: 'Light',
      option: 'Optional',
      properties: [
        { name: 'brightness', dataType: 'int', required: false, min: 0, max: 100, method: 'RW' },
        { name: 'power', dataType: 'decimal', required: false, method: 'R' },
      ],
      commands: [
        {
          name: 'SWITCH',
          paras: [{ name: 'value', dataType: 'enum', required: true, enumList: ['ON', 'OFF'] }],
          responses: [],
        },
        {
          name: 'DIM',
          paras: [
            { name: 'level', dataType: 'int', required: true, min: 0, max: 100 },
            { name: 'note', dataType: 'string', required: false, maxLength: 4 },
          ],
          responses: [],
        },
      ],
    },
  ],
});

interface Published {
  deviceId: string;
  topic: string;
  payload: string;
  puback: (ok: boolean) => void;
}

function setup(options: { clock?: ManualClock; db?: Database.Database } = {}) {
  const clock = options.clock ?? createManualClock(Date.UTC(2026, 10, 26, 8));
  const db = options.db ?? new Database(':memory:');
  if (!options.db)
    runMigrations(
      db,
      ':memory:',
      [{ capability: 'commands', migrations: commandMigrations }],
      () => new Date(clock.now()),
    );
  const hub = createDeviceLinkHub((e) => {
    throw e;
  });
  const mqttOnline = new Map<string, MqttDialect>();
  const lwm2mOnline = new Set<string>();
  const published: Published[] = [];
  const writes: { deviceId: string; hex: string; answer: (r: Partial<Lwm2mOperationResult>) => void }[] = [];
  hub.attach({
    mqtt: {
      isConnected: (id) => mqttOnline.has(id),
      dialectOf: (id) => mqttOnline.get(id),
      publish: (deviceId, message) => {
        if (!mqttOnline.has(deviceId)) return Promise.resolve({ sent: false, reason: 'not connected' });
        let puback: (ok: boolean) => void = () => undefined;
        const delivered = new Promise<boolean>((resolve) => (puback = resolve));
        published.push({ deviceId, topic: message.topic ?? '', payload: String(message.payload), puback });
        return Promise.resolve({ sent: true, topic: message.topic ?? '', delivered });
      },
    },
    lwm2m: {
      registration: (id: string) => (lwm2mOnline.has(id) ? { endpoint: id } : undefined),
      writeDownlink: (deviceId: string, bytes: Uint8Array) =>
        new Promise<Lwm2mOperationResult>((resolve) =>
          writes.push({
            deviceId,
            hex: Buffer.from(bytes).toString('hex'),
            answer: (r) =>
              resolve({
                op: 'write',
                path: '/19/1/0',
                code: '2.04',
                codeName: 'Changed',
                durationMs: 1,
                ok: true,
                payloadHex: '',
                ...r,
              }),
          }),
        ),
    } as unknown as Lwm2mServer,
  });
  const callbacks: { url: string; body: unknown }[] = [];
  const changes: DeviceCommand[] = [];
  const protocols: Record<string, ProductModel['protocolType']> = { mq: 'MQTT', mq2: 'MQTT', nb: 'LWM2M' };
  const store = new CommandStore(db);
  const service = new CommandService({
    store,
    clock,
    link: hub.link,
    encode: (_productId, command) =>
      Promise.resolve({
        ok: true,
        bytes: Uint8Array.from([0x81, command.mid >> 8, command.mid & 0xff, command.paras['value'] === 'ON' ? 1 : 0]),
      }),
    devices: {
      productOf: (id) => {
        const protocol = protocols[id];
        return protocol ? { productId: `p-${id}`, model: model(protocol) } : undefined;
      },
    },
    callbacks: { enqueue: (c) => void callbacks.push(c) },
    changed: (c) => void changes.push(c),
    log: () => undefined,
  });
  service.start();
  const flush = () => new Promise((r) => setImmediate(r));
  const connect = async (deviceId: string, dialect: MqttDialect | 'lwm2m' = 'iotda') => {
    if (dialect === 'lwm2m') lwm2mOnline.add(deviceId);
    else mqttOnline.set(deviceId, dialect);
    hub.reports.presence({
      at: clock.now(),
      deviceId,
      protocol: dialect === 'lwm2m' ? 'lwm2m' : 'mqtt',
      kind: 'online',
    });
    clock.advance(MQTT_ONLINE_GRACE_MS);
    await flush();
  };
  const create = (deviceId: string, body: CreateCommandBody) =>
    service.create(deviceId, createCommandBodySchema.parse(body));
  const statuses = (id: string) => service.get(id).transitions.map((t) => t.status);
  const answer = async (deviceId: string, commandId: string, resultCode = 0) => {
    hub.reports.response({
      at: clock.now(),
      deviceId,
      protocol: 'mqtt',
      commandId,
      resultCode,
      body: { r: resultCode },
    });
    await flush();
  };
  return {
    clock,
    db,
    service,
    store,
    hub,
    published,
    writes,
    callbacks,
    changes,
    connect,
    create,
    statuses,
    flush,
    answer,
    mqttOnline,
  };
}

const switchOn = { serviceId: 'Light', method: 'SWITCH', paras: { value: 'ON' } };

describe('command queue', () => {
  it('sends three cached commands of an offline device one at a time, in order, each after the previous ACK', async () => {
    const t = setup();
    const a = await t.create('mq', switchOn);
    const b = await t.create('mq', { ...switchOn, paras: { value: 'OFF' } });
    const c = await t.create('mq', { serviceId: 'Light', method: 'DIM', paras: { level: 5 } });
    expect([a.status, b.status, c.status]).toEqual(['PENDING', 'PENDING', 'PENDING']);
    await t.connect('mq');
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.topic).toBe(`$oc/devices/mq/sys/commands/request_id=${a.commandId}`);
    expect(JSON.parse(t.published[0]!.payload)).toEqual({
      object_device_id: 'mq',
      service_id: 'Light',
      command_name: 'SWITCH',
      paras: { value: 'ON' },
    });
    await t.answer('mq', a.commandId);
    // An answer before the PUBACK counts as the ACK: the next one goes.
    expect(t.published).toHaveLength(2);
    t.published[1]?.puback(true);
    await t.flush();
    expect(t.published).toHaveLength(3);
    await t.answer('mq', b.commandId, 1);
    t.published[2]?.puback(true);
    await t.flush();
    await t.answer('mq', c.commandId);
    expect(t.statuses(a.commandId)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'SUCCESSFUL']);
    expect(t.statuses(b.commandId)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'FAILED']);
    expect(t.statuses(c.commandId)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'SUCCESSFUL']);
    expect(t.service.view(b.commandId)).toMatchObject({ result: { resultCode: 1, body: { r: 1 } }, issuedTimes: 1 });
  });

  it('numbers legacy commands with a fresh mid per device and matches deviceRsp by mid', async () => {
    const t = setup();
    await t.connect('mq', 'legacy');
    await t.connect('mq2', 'legacy');
    const first = await t.create('mq', { ...switchOn, expireTime: 0 });
    const second = await t.create('mq', { ...switchOn, expireTime: 0 });
    const other = await t.create('mq2', { ...switchOn, expireTime: 0 });
    expect([first.mid, second.mid, other.mid]).toEqual([1, 2, 1]);
    expect(t.published.map((p) => [p.topic, (JSON.parse(p.payload) as { mid: number; msgType: string }).mid])).toEqual([
      ['/huawei/v1/devices/mq/command/json', 1],
      ['/huawei/v1/devices/mq/command/json', 2],
      ['/huawei/v1/devices/mq2/command/json', 1],
    ]);
    await t.answer('mq', '2');
    expect(t.service.view(second.commandId).status).toBe('SUCCESSFUL');
    expect(t.service.view(first.commandId).status).toBe('SENT');
  });

  it('fails an immediate command at once when the device is not reachable', async () => {
    const t = setup();
    const c = await t.create('mq', { ...switchOn, expireTime: 0 });
    expect(c).toMatchObject({ status: 'FAILED', result: { reason: 'the device is not reachable' } });
    expect(t.published).toEqual([]);
  });

  it('times out without an ACK in 180 s and sends again up to maxRetransmit', async () => {
    const t = setup();
    await t.connect('mq');
    const c = await t.create('mq', { ...switchOn, maxRetransmit: 1 });
    expect(c.status).toBe('SENT');
    t.clock.advance(ACK_TIMEOUT_MS - 1);
    expect(t.service.view(c.commandId).status).toBe('SENT');
    t.clock.advance(1);
    await t.flush();
    expect(t.published).toHaveLength(2);
    t.clock.advance(ACK_TIMEOUT_MS);
    await t.flush();
    expect(t.statuses(c.commandId)).toEqual(['PENDING', 'SENT', 'TIMEOUT', 'SENT', 'TIMEOUT']);
    expect(t.service.view(c.commandId)).toMatchObject({ status: 'TIMEOUT', issuedTimes: 2 });
    // A late PUBACK changes nothing.
    t.published[0]?.puback(true);
    await t.flush();
    expect(t.service.view(c.commandId).status).toBe('TIMEOUT');
  });

  it('expires a cached command after its expireTime', async () => {
    const t = setup();
    const c = await t.create('mq', { ...switchOn, expireTime: 60 });
    t.clock.advance(59_999);
    expect(t.service.view(c.commandId).status).toBe('PENDING');
    t.clock.advance(1);
    expect(t.service.view(c.commandId)).toMatchObject({ status: 'EXPIRED' });
    await t.connect('mq');
    expect(t.published).toEqual([]);
  });

  it('refuses bad paras naming the para and the rule, and queues nothing', async () => {
    const t = setup();
    const refusal = async (body: CreateCommandBody) => {
      try {
        await t.create('mq', body);
      } catch (error) {
        if (error instanceof DomainError) return [error.code, error.path, error.message, statusOfError(error.code)];
      }
      throw new Error('not refused');
    };
    expect(await refusal({ serviceId: 'Light', method: 'DIM', paras: { level: 101 } })).toEqual([
      'BAD_COMMAND',
      'body.paras.level',
      'Light.DIM.level = 101 is above the maximum 100',
      400,
    ]);
    expect(await refusal({ serviceId: 'Light', method: 'DIM', paras: { note: 'x' } })).toEqual([
      'BAD_COMMAND',
      'body.paras.level',
      'Light.DIM.level is required by the model',
      400,
    ]);
    expect((await refusal({ serviceId: 'Light', method: 'DIM', paras: { level: 1, note: 'toolong' } }))[2]).toBe(
      'Light.DIM.note has 7 characters; the most is 4',
    );
    expect((await refusal({ serviceId: 'Light', method: 'SWITCH', paras: { value: 'MAYBE' } }))[2]).toBe(
      'Light.SWITCH.value = "MAYBE" is not one of ON, OFF',
    );
    expect((await refusal({ serviceId: 'Light', method: 'DIM', paras: { level: 'high' } }))[2]).toContain(
      'int needs an integer',
    );
    expect((await refusal({ serviceId: 'Light', method: 'DIM', paras: { level: 1, colour: 2 } }))[2]).toBe(
      'Light.DIM has no para colour',
    );
    expect((await refusal({ serviceId: 'Light', method: 'BLINK' }))[1]).toBe('body.method');
    expect((await refusal({ serviceId: 'Heat', method: 'DIM' }))[1]).toBe('body.serviceId');
    expect((await refusal({ kind: 'propertiesSet', serviceId: 'Light', paras: { power: 3 } }))[2]).toBe(
      'Light.power is not writable (its access is not W)',
    );
    expect(t.store.page({ offset: 0, limit: 10 }).total).toBe(0);
  });

  it('cancels one PENDING command and all of a device as a task, never a sent one', async () => {
    const t = setup();
    const a = await t.create('mq', switchOn);
    const b = await t.create('mq', switchOn);
    const c = await t.create('mq', switchOn);
    expect(t.service.cancel(a.commandId).status).toBe('CANCELED');
    await t.connect('mq');
    expect(t.published).toHaveLength(1);
    expect(() => t.service.cancel(b.commandId)).toThrow(/is SENT; only a PENDING command can be canceled/);
    const task = t.service.cancelAll('mq');
    expect(task).toMatchObject({
      status: 'SUCCESS',
      totalCount: 1,
      commands: [{ commandId: c.commandId, status: 'CANCELED' }],
    });
    expect(t.service.cancelTasks('mq').map((x) => x.taskId)).toEqual([task.taskId]);
    t.published[0]?.puback(true);
    await t.flush();
    expect(t.published).toHaveLength(1);
  });

  it('posts every transition of a command with a callbackUrl in the status callback body of §1.7', async () => {
    const t = setup();
    const c = await t.create('mq', { ...switchOn, callbackUrl: 'http://127.0.0.1:9/cb' });
    await t.connect('mq');
    t.published[0]?.puback(true);
    await t.flush();
    await t.answer('mq', c.commandId);
    expect(t.callbacks.map((x) => (x.body as { result: { resultCode: string } }).result.resultCode)).toEqual([
      'SENT',
      'DELIVERED',
      'SUCCESS',
    ]);
    expect(t.callbacks[2]).toEqual({
      url: 'http://127.0.0.1:9/cb',
      body: { deviceId: 'mq', commandId: c.commandId, result: { resultCode: 'SUCCESS', resultDetail: { r: 0 } } },
      deviceId: 'mq',
    });
  });

  it('encodes LwM2M commands with the codec, writes them to /19/1/0 and is DELIVERED on the ACK', async () => {
    const t = setup();
    await t.connect('nb', 'lwm2m');
    const ok = await t.create('nb', switchOn);
    expect(t.writes.map((w) => w.hex)).toEqual(['81000101']);
    t.writes[0]?.answer({});
    await t.flush();
    expect(t.service.view(ok.commandId).status).toBe('DELIVERED');
    t.hub.reports.response({
      at: 1,
      deviceId: 'nb',
      protocol: 'lwm2m',
      commandId: '1',
      resultCode: 0,
      body: { result: 0 },
    });
    expect(t.service.view(ok.commandId)).toMatchObject({
      status: 'SUCCESSFUL',
      mid: 1,
      result: { body: { result: 0 } },
    });
    const refused = await t.create('nb', { ...switchOn, paras: { value: 'OFF' } });
    t.writes[1]?.answer({ ok: false, code: '4.04', codeName: 'Not Found' });
    await t.flush();
    expect(t.service.view(refused.commandId)).toMatchObject({
      status: 'FAILED',
      result: { reason: 'the device answered 4.04 Not Found' },
    });
    const sent = t.service.get(ok.commandId).transitions.find((x) => x.status === 'SENT');
    expect(sent).toMatchObject({ protocol: 'lwm2m', topic: '/19/1/0', bytesHex: '81000101', codec: true });
    expect(await t.create('nb', { kind: 'propertiesGet', serviceId: 'Light' }).catch((e: Error) => e.message)).toBe(
      'propertiesGet is an IoTDA MQTT downlink; product p-nb uses LWM2M',
    );
  });

  it('re-evaluates open commands on start: a SENT one whose 180 s passed is TIMEOUT, a PENDING one still goes', async () => {
    const first = setup();
    await first.connect('mq');
    const sent = await first.create('mq', switchOn);
    const pending = await first.create('mq', { ...switchOn, paras: { value: 'OFF' } });
    first.service.stop();
    first.clock.advance(ACK_TIMEOUT_MS + 5);
    const second = setup({ clock: first.clock, db: first.db });
    await second.flush();
    expect(second.service.view(sent.commandId)).toMatchObject({ status: 'TIMEOUT' });
    expect(second.service.view(pending.commandId).status).toBe('PENDING');
    await second.connect('mq');
    expect(second.published.map((p) => p.topic)).toEqual([
      `$oc/devices/mq/sys/commands/request_id=${pending.commandId}`,
    ]);
  });

  it('sends property set and get and messages down in the IoTDA envelopes', async () => {
    const t = setup();
    await t.connect('mq');
    const set = await t.create('mq', {
      kind: 'propertiesSet',
      serviceId: 'Light',
      paras: { brightness: 40 },
      expireTime: 0,
    });
    const get = await t.create('mq', { kind: 'propertiesGet', serviceId: 'Light', expireTime: 0 });
    const message = await t.create('mq', {
      kind: 'message',
      serviceId: 'Light',
      method: 'hello',
      paras: { content: { a: 1 } },
      expireTime: 0,
    });
    await t.create('mq', {
      kind: 'message',
      serviceId: 'Light',
      paras: { content: 'raw text' },
      raw: true,
      expireTime: 0,
    });
    expect(
      t.published.map((p) => [p.topic, JSON.parse(p.payload === 'raw text' ? '"raw text"' : p.payload) as unknown]),
    ).toEqual([
      [
        `$oc/devices/mq/sys/properties/set/request_id=${set.commandId}`,
        { object_device_id: 'mq', services: [{ service_id: 'Light', properties: { brightness: 40 } }] },
      ],
      [
        `$oc/devices/mq/sys/properties/get/request_id=${get.commandId}`,
        { object_device_id: 'mq', service_id: 'Light' },
      ],
      [
        '$oc/devices/mq/sys/messages/down',
        { object_device_id: 'mq', name: 'hello', id: message.commandId, content: { a: 1 } },
      ],
      ['$oc/devices/mq/sys/messages/down', 'raw text'],
    ]);
  });
});
