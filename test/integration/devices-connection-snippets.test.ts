// The connection snippets the device page offers, run as a user would paste them: the shell ones through
// bash with mosquitto_pub and openssl, the paho one through Debian's python3 — each report must be stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import {
  iotdaSnippet,
  legacySnippet,
  mqttLoginFor,
  pahoSnippet,
  type SnippetInput,
} from '../../renderer/features/devices/connectionSnippet.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { runCommand } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let input: SnippetInput;

async function brightness(): Promise<unknown> {
  const { services } = await call(apiRoutes.latestDeviceData, { params: { id: input.deviceId } });
  return services.find((s) => s.serviceId === 'Light')?.data.brightness;
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  const product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'SNIP-1' } });
  input = {
    deviceId: device.deviceId,
    host: '127.0.0.1',
    port: core.runtime.ports.mqtt ?? 0,
    serviceId: 'Light',
    propertyName: 'brightness',
    secret,
  };
});
afterAll(() => core.stop());

describe('connection snippets', () => {
  it('IoTDA mosquitto_pub snippet computing the login with openssl', async () => {
    const r = await runCommand('bash', ['-c', iotdaSnippet({ ...input, exampleValue: 11 })], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(await eventually(async () => ((await brightness()) === 11 ? true : undefined))).toBe(true);
  });

  it('legacy mosquitto_pub snippet with the login computed for the current hour', async () => {
    const login = await mqttLoginFor(input.deviceId, input.secret ?? '', new Date());
    const r = await runCommand('bash', ['-c', legacySnippet({ ...input, login, exampleValue: 22 })], {
      timeoutMs: 15_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await eventually(async () => ((await brightness()) === 22 ? true : undefined))).toBe(true);
  });

  it('Python paho snippet', async () => {
    const r = await runCommand('/usr/bin/python3', ['-c', pahoSnippet({ ...input, exampleValue: 33 })], {
      timeoutMs: 15_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await eventually(async () => ((await brightness()) === 33 ? true : undefined))).toBe(true);
  });

  it('a snippet still holding the placeholder secret is refused by the broker', async () => {
    const r = await runCommand(
      'bash',
      ['-c', iotdaSnippet({ deviceId: input.deviceId, host: input.host, port: input.port, exampleValue: 44 })],
      { timeoutMs: 15_000 },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });
});
