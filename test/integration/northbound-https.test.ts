// The northbound API over HTTPS (§1.1), called with real curl: a self-signed certificate made on first start and
// kept, a user certificate, and mutual TLS with client certificates made by openssl (as the platform's SDK demos do).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { curl, curlJson } from '../support/curl.js';
import { contractCaller } from '../support/device-api.js';
import { runIotwb, startServe } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const APP_ID = 'tls_app';
const APP_SECRET = 'tls-secret-0123456789';

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A key and a certificate signed by `ca` (or self-signed), with the given extensions. */
function makeCertificate(dir: string, name: string, subject: string, extensions: string, ca?: string): string {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions}\n`);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key];
  if (!ca) {
    openssl(['req', '-x509', ...newKey, '-out', cert, '-days', '2', '-subj', subject, '-addext', extensions]);
    return cert;
  }
  const csr = join(dir, `${name}.csr`);
  openssl(['req', ...newKey, '-out', csr, '-subj', subject]);
  const signWithCa = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', ext];
  openssl(['x509', '-req', '-in', csr, ...signWithCa, '-out', cert]);
  return cert;
}

const loginArgs = (base: string) => [
  '-X',
  'POST',
  `${base}/iocm/app/sec/v1.1.0/login`,
  '--data-urlencode',
  `appId=${APP_ID}`,
  '--data-urlencode',
  `secret=${APP_SECRET}`,
];

describe('a self-signed certificate', () => {
  let core: RunningCore;
  const call = contractCaller(() => core);
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    core = await startCore({ dataDir, northboundTls: true, appId: APP_ID, appSecret: APP_SECRET });
  });
  afterAll(() => core.stop());

  it('is made on first start, and the endpoint tells the https base URL and the file to trust', async () => {
    const endpoint = await call(apiRoutes.northboundEndpoint);
    expect(endpoint).toMatchObject({
      enabled: true,
      tls: true,
      baseUrl: `https://127.0.0.1:${core.runtime.ports.northbound}`,
      certFile: join(dataDir, 'northbound-tls', 'server-cert.pem'),
    });
    expect(endpoint.clientCaFile).toBeUndefined();
    const fingerprint = openssl(['x509', '-in', endpoint.certFile!, '-noout', '-fingerprint', '-sha256'])
      .toString()
      .trim()
      .split('=')[1];
    expect(endpoint.fingerprint256).toBe(fingerprint);
  });

  it('serves curl --cacert: login, then a call with the token', async () => {
    const { baseUrl, certFile } = await call(apiRoutes.northboundEndpoint);
    const login = await curl(['--cacert', certFile!, ...loginArgs(baseUrl!)]);
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.status).toBe(200);
    const token = curlJson(login)!.accessToken as string;
    const list = await curl([
      '--cacert',
      certFile!,
      '-H',
      `app_key: ${APP_ID}`,
      '-H',
      `Authorization: Bearer ${token}`,
      `${baseUrl!}/iocm/app/dm/v1.4.0/devices?pageNo=0`,
    ]);
    expect(list.status).toBe(200);
    expect(curlJson(list)).toMatchObject({ totalCount: 0, devices: [] });
  });

  it('is refused by curl without --cacert, and plain HTTP gets no answer from the TLS port', async () => {
    const { baseUrl } = await call(apiRoutes.northboundEndpoint);
    const untrusted = await curl(loginArgs(baseUrl!));
    expect(untrusted.exitCode).toBe(60); // peer certificate cannot be authenticated with known CA certificates
    expect(untrusted.status).toBe(0);
    const plain = await curl(loginArgs(baseUrl!.replace('https:', 'http:')));
    expect(plain.exitCode).not.toBe(0);
    expect(plain.status).toBe(0);
  });

  it('is kept in the data folder: the next start serves the same certificate', async () => {
    const before = (await call(apiRoutes.northboundEndpoint)).fingerprint256;
    await core.stop();
    core = await startCore({ dataDir, northboundTls: true, appId: APP_ID, appSecret: APP_SECRET });
    expect((await call(apiRoutes.northboundEndpoint)).fingerprint256).toBe(before);
  });
});

describe('plain HTTP by default', () => {
  it('tells an http base URL and no certificate', async () => {
    const core = await startCore({ dataDir: tempDir() });
    try {
      const endpoint = await contractCaller(() => core)(apiRoutes.northboundEndpoint);
      expect(endpoint).toEqual({
        enabled: true,
        tls: false,
        baseUrl: `http://127.0.0.1:${core.runtime.ports.northbound}`,
      });
    } finally {
      await core.stop();
    }
  });
});

describe('iotwb serve with a user certificate and client certificates (mutual TLS)', () => {
  let pki: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let base: string;

  beforeAll(async () => {
    pki = tempDir();
    makeCertificate(pki, 'ca', '/CN=Workbench test CA', 'basicConstraints=critical,CA:TRUE');
    makeCertificate(pki, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1', join(pki, 'ca'));
    makeCertificate(pki, 'client', '/CN=billing-server', 'extendedKeyUsage=clientAuth', join(pki, 'ca'));
    makeCertificate(pki, 'stranger', '/CN=stranger', 'extendedKeyUsage=clientAuth');
    serve = await startServe(tempDir(), [
      '--northbound-tls',
      '--northbound-cert',
      join(pki, 'server.pem'),
      '--northbound-key',
      join(pki, 'server.key'),
      '--northbound-client-ca',
      join(pki, 'ca.pem'),
      '--app-id',
      APP_ID,
      '--app-secret',
      APP_SECRET,
    ]);
    base = `https://127.0.0.1:${serve.ready.ports.northbound}`;
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
  });

  it('says https in its ready message', () => {
    expect(serve.stderr()).toContain(`northbound API https://127.0.0.1:${serve.ready.ports.northbound}`);
  });

  it('logs in a client that presents a certificate signed by the client CA', async () => {
    const login = await curl([
      '--cacert',
      join(pki, 'ca.pem'),
      '--cert',
      join(pki, 'client.pem'),
      '--key',
      join(pki, 'client.key'),
      ...loginArgs(base),
    ]);
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.status).toBe(200);
    expect(curlJson(login)).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
  });

  it('refuses a client without a certificate and one with a certificate from another CA', async () => {
    const without = await curl(['--cacert', join(pki, 'ca.pem'), ...loginArgs(base)]);
    expect(without.exitCode).not.toBe(0);
    expect(without.status).toBe(0);
    const stranger = await curl([
      '--cacert',
      join(pki, 'ca.pem'),
      '--cert',
      join(pki, 'stranger.pem'),
      '--key',
      join(pki, 'stranger.key'),
      ...loginArgs(base),
    ]);
    expect(stranger.exitCode).not.toBe(0);
    expect(stranger.status).toBe(0);
  });

  it('shows the client CA on the endpoint the Applications page reads', async () => {
    const response = await fetch(`${serve.ready.api}/api/northbound`, {
      headers: { authorization: `Bearer ${serve.ready.token}` },
    });
    expect(await response.json()).toMatchObject({
      tls: true,
      baseUrl: base,
      certFile: join(pki, 'server.pem'),
      clientCaFile: join(pki, 'ca.pem'),
    });
  });
});

describe('serve flags', () => {
  it('refuses --northbound-cert or --northbound-client-ca without --northbound-tls', async () => {
    for (const args of [
      ['--northbound-cert', 'a.pem', '--northbound-key', 'a.key'],
      ['--northbound-client-ca', 'ca.pem'],
    ]) {
      const child = runIotwb(['serve', '--data-dir', tempDir(), ...args]);
      let stderr = '';
      child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toContain('needs --northbound-tls');
    }
  });
});
