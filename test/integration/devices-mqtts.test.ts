// MQTT over TLS: a self-signed certificate made on first start (or the user's own), real TLS clients (mqtt.js,
// mosquitto_pub), and the same login, ACL and storage as the plain port.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { runCommand } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let streetLight: string;
let ca: Buffer;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), mqttsPort: 0 });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  ca = readFileSync(join(core.runtime.dataDir, 'mqtts', 'server-cert.pem'));
});

afterAll(() => core.stop());

const report = (brightness: number) =>
  JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] });

describe('MQTTS', () => {
  it('accepts an mqtt.js device that trusts the generated certificate and stores its report', async () => {
    expect(core.runtime.ports.mqtts).toBeGreaterThan(0);
    const { device, secret } = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'tls-1' },
    });
    const client = await mqtt.connectAsync(`mqtts://localhost:${core.runtime.ports.mqtts}`, {
      ...deviceLogin(device.deviceId, secret),
      protocolVersion: 4,
      reconnectPeriod: 0,
      ca,
      rejectUnauthorized: true,
    });
    await client.publishAsync(`$oc/devices/${device.deviceId}/sys/properties/report`, report(42), { qos: 1 });
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: device.deviceId } });
    expect(latest.services[0]?.data).toEqual({ brightness: 42 });
    await client.endAsync();
  });

  it('accepts mosquitto_pub with --cafile and refuses its wrong password', async () => {
    const { device, secret } = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'tls-2' },
    });
    const caFile = join(core.runtime.dataDir, 'mqtts', 'server-cert.pem');
    const pub = async (password: string) => {
      const login = deviceLogin(device.deviceId, secret);
      const { code } = await runCommand(
        'mosquitto_pub',
        [
          '-V',
          'mqttv311',
          '-h',
          '127.0.0.1',
          '-p',
          String(core.runtime.ports.mqtts),
          '--cafile',
          caFile,
          '-i',
          login.clientId,
          '-u',
          login.username,
          '-P',
          password,
          '-q',
          '1',
          '-t',
          `$oc/devices/${device.deviceId}/sys/properties/report`,
          '-m',
          report(7),
        ],
        { timeoutMs: 10_000 },
      );
      return code;
    };
    expect(await pub('0'.repeat(64))).not.toBe(0);
    expect(await pub(deviceLogin(device.deviceId, secret).password)).toBe(0);
    await eventually(async () => {
      const latest = await call(apiRoutes.latestDeviceData, { params: { id: device.deviceId } });
      return latest.services[0]?.data.brightness === 7 ? true : undefined;
    });
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const { device, secret } = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'tls-3' },
    });
    const error = await mqtt
      .connectAsync(`mqtts://localhost:${core.runtime.ports.mqtts}`, {
        ...deviceLogin(device.deviceId, secret),
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 3000,
      })
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/self.signed|certificate/i);
  });

  it("serves the user's own certificate when one is given", async () => {
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
    const own = await startCore({
      dataDir: dir,
      mqttsPort: 0,
      mqttsCertFile: join(dir, 'c.pem'),
      mqttsKeyFile: join(dir, 'k.pem'),
    });
    try {
      const ownCall = contractCaller(() => own);
      const product = await ownCall(apiRoutes.createProductFromSample, {
        params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
      });
      const { device, secret } = await ownCall(apiRoutes.registerDevice, {
        body: { productId: product.id, nodeId: 'own-1' },
      });
      const client = await mqtt.connectAsync(`mqtts://localhost:${own.runtime.ports.mqtts}`, {
        ...deviceLogin(device.deviceId, secret),
        protocolVersion: 4,
        reconnectPeriod: 0,
        ca: readFileSync(join(dir, 'c.pem')),
      });
      await client.endAsync();
    } finally {
      await own.stop();
    }
  });
});
