// The push queue's retry rules against real receivers on 127.0.0.1, a real SQLite file and a moved clock:
// 503 for two minutes then recovery loses nothing and keeps each device's order; a receiver that never answers
// times out after 15 s, goes invalid after 10 retries, is probed and recovers; HTTPS with the right and a wrong CA.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../core/clock.js';
import { CallbackCas } from '../../core/push/callback-cas.js';
import {
  MAX_FAILED_RETRIES,
  PROBE_INTERVAL_MS,
  PushDelivery,
  RETRY_INTERVAL_MS,
} from '../../core/push/push-delivery.js';
import { ANSWER_TIMEOUT_MS, PushPoster } from '../../core/push/push-http.js';
import { PushStore, pushMigrations } from '../../core/push/push-store.js';
import { runMigrations } from '../../core/store/migrations.js';
import { eventually } from '../support/device-api.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

interface Rig {
  clock: ManualClock;
  db: Database.Database;
  store: PushStore;
  cas: CallbackCas;
  delivery: PushDelivery;
}

let rig: Rig;
const receivers: TestReceiverServer[] = [];

function openRig(file = join(tempDir(), 'push.db')): Rig {
  const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  runMigrations(db, file, [{ capability: 'push', migrations: pushMigrations }], () => new Date(clock.now()));
  const store = new PushStore(db);
  const poster = new PushPoster(clock, (hostPort) => cas.tlsFor(hostPort));
  const cas = new CallbackCas(store, clock, () => poster.reset());
  const delivery = new PushDelivery(store, clock, poster);
  delivery.start();
  return { clock, db, store, cas, delivery };
}

async function receiver(tls?: { key: Buffer; cert: Buffer }) {
  const r = await startReceiver(tls);
  receivers.push(r);
  return r;
}

beforeEach(() => {
  rig = openRig();
});

afterEach(async () => {
  rig.delivery.stop();
  rig.db.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('retries', () => {
  it('keeps every message through two minutes of 503 and delivers them in each device order once it recovers', async () => {
    const r = await receiver();
    r.answer = 503;
    const url = r.url();
    for (let i = 0; i < 30; i++) {
      const deviceId = `dev-${i % 3}`;
      const result = rig.delivery.enqueue({
        url,
        notifyType: 'deviceDataChanged',
        deviceId,
        body: { deviceId, seq: i },
      });
      expect(result.accepted).toBe(true);
    }
    await eventually(() => (rig.delivery.state(url).state === 'failing' ? true : undefined));
    expect(rig.delivery.state(url)).toMatchObject({ queueDepth: 30, failures: 1, lastError: 'answered 503' });

    // Two minutes of 503: a retry every 30 s, each fails, nothing is dropped.
    for (let retry = 1; retry <= 4; retry++) {
      rig.clock.advance(RETRY_INTERVAL_MS);
      await eventually(() => (rig.delivery.state(url).failures === retry + 1 ? true : undefined));
    }
    expect(rig.delivery.state(url)).toMatchObject({ state: 'failing', queueDepth: 30, dropped: 0 });

    r.answer = 200;
    rig.clock.advance(RETRY_INTERVAL_MS);
    await eventually(() => (rig.delivery.state(url).queueDepth === 0 ? true : undefined));
    // Round one posted the first message of each device; each retry after it, one message.
    expect(r.received).toHaveLength(3 + 4 + 30);
    const delivered = r.received.slice(-30);
    expect(delivered).toHaveLength(30);
    for (const device of ['dev-0', 'dev-1', 'dev-2']) {
      const seqs = delivered.filter((q) => q.json.deviceId === device).map((q) => q.json.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(10);
    }
    expect(rig.delivery.state(url)).toMatchObject({ state: 'ok', failures: 0, delivered: 30, dropped: 0 });
  });

  it('times out a receiver that never answers after 15 s, marks it invalid after 10 retries, probes it until it recovers', async () => {
    const r = await receiver();
    r.answer = 'none';
    const url = r.url();
    for (let i = 0; i < 5; i++) rig.delivery.enqueue({ url, notifyType: 'deviceAdded', deviceId: 'dev', body: { i } });

    for (let attempt = 1; attempt <= MAX_FAILED_RETRIES + 1; attempt++) {
      await eventually(() => (r.received.length === attempt ? true : undefined));
      // 14.9 s: still waiting for the answer.
      rig.clock.advance(ANSWER_TIMEOUT_MS - 100);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(rig.delivery.state(url).failures).toBe(attempt - 1);
      rig.clock.advance(100);
      await eventually(() => (rig.delivery.state(url).failures === attempt ? true : undefined));
      expect(rig.delivery.state(url).lastError).toBe('no answer within 15 s');
      if (attempt <= MAX_FAILED_RETRIES) {
        expect(rig.delivery.state(url).state).toBe('failing');
        rig.clock.advance(RETRY_INTERVAL_MS);
      }
    }
    // 1 attempt + 10 failed retries: invalid, its 5 messages dropped and counted.
    expect(rig.delivery.state(url)).toMatchObject({ state: 'invalid', queueDepth: 0, dropped: 5 });
    expect(rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { late: true } }).accepted).toBe(false);
    expect(rig.delivery.state(url).dropped).toBe(6);

    // Probed every minute; the first probe finds it still silent.
    rig.clock.advance(PROBE_INTERVAL_MS);
    await eventually(() => (r.received.length === MAX_FAILED_RETRIES + 2 ? true : undefined));
    expect(r.received.at(-1)?.headers['x-iotwb-probe']).toBe('1');
    rig.clock.advance(ANSWER_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rig.delivery.state(url).state).toBe('invalid');

    r.answer = 200;
    rig.clock.advance(PROBE_INTERVAL_MS);
    await eventually(() => (rig.delivery.state(url).state === 'ok' ? true : undefined));
    expect(rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { again: true } }).accepted).toBe(true);
    await eventually(() => (r.received.some((q) => q.json.again === true) ? true : undefined));
    await eventually(() => (rig.delivery.state(url).delivered === 1 ? true : undefined));
  });

  it('drops a failed message once it has waited 10 minutes', async () => {
    const r = await receiver();
    r.answer = 502;
    const url = r.url();
    rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { old: true } });
    await eventually(() => (rig.delivery.state(url).failures === 1 ? true : undefined));
    // Ten 30 s retries would make the URL invalid first: jump the clock to the end of the window instead.
    rig.clock.set(rig.clock.now() + 10 * 60_000 - RETRY_INTERVAL_MS);
    await eventually(() => (rig.delivery.state(url).failures === 2 ? true : undefined));
    expect(rig.delivery.state(url).queueDepth).toBe(1);
    rig.clock.advance(RETRY_INTERVAL_MS);
    await eventually(() => (rig.delivery.state(url).queueDepth === 0 ? true : undefined));
    expect(rig.delivery.state(url).dropped).toBe(1);
    const last = rig.store.deliveries(url, 1)[0];
    expect(last).toMatchObject({ outcome: 'dropped', error: 'not delivered within 10 minutes' });
  });

  it('does not retry a message the server refused with 400', async () => {
    const r = await receiver();
    r.answer = 400;
    const url = r.url();
    rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { bad: true } });
    await eventually(() => (rig.delivery.state(url).queueDepth === 0 ? true : undefined));
    expect(rig.delivery.state(url)).toMatchObject({ state: 'ok', failures: 0, lastError: 'answered 400' });
    expect(r.received).toHaveLength(1);
  });

  it('resumes the queue from SQLite after a restart', async () => {
    const file = join(tempDir(), 'restart.db');
    const first = openRig(file);
    const r = await receiver();
    r.answer = 503;
    const url = r.url();
    for (let i = 0; i < 20; i++)
      first.delivery.enqueue({ url, notifyType: 'deviceDataChanged', deviceId: 'dev', body: { i } });
    await eventually(() => (first.delivery.state(url).failures === 1 ? true : undefined));
    first.delivery.stop();
    first.db.close();

    r.answer = 200;
    const second = openRig(file);
    await eventually(() => (second.delivery.state(url).queueDepth === 0 ? true : undefined));
    second.delivery.stop();
    second.db.close();
    const got = r.received.slice(-20).map((q) => q.json.i);
    expect(got).toEqual([...Array(20).keys()]);
  });
});

describe('HTTPS callbacks', () => {
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

  function makeCa(dir: string, name: string) {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.pem`);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=keyCertSign,cRLSign',
    ]);
    return { key, cert };
  }

  function makeServerCert(dir: string, ca: { key: string; cert: string }, cn: string, san: string) {
    const key = join(dir, `${cn}.key`);
    const csr = join(dir, `${cn}.csr`);
    const cert = join(dir, `${cn}.pem`);
    const ext = join(dir, `${cn}.ext`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=${san}\\n' > '${ext}'`]);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ]);
    return { key: readFileSync(key), cert: readFileSync(cert) };
  }

  it('delivers with the CA uploaded for the host:port and fails with a clear reason with a wrong CA', async () => {
    const dir = tempDir();
    const ca = makeCa(dir, 'Callback Test CA');
    const other = makeCa(dir, 'Some Other CA');
    const r = await receiver(makeServerCert(dir, ca, 'callback.local', 'IP:127.0.0.1'));
    const url = r.url();
    const hostPort = `127.0.0.1:${r.port}`;

    // No CA uploaded: the self-made CA is not trusted.
    rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { n: 1 } });
    await eventually(() => (rig.delivery.state(url).failures === 1 ? true : undefined));
    expect(rig.delivery.state(url).lastError).toMatch(/^TLS: .*no CA certificate is uploaded for 127\.0\.0\.1:\d+/);

    rig.cas.put({ hostPort, caPem: readFileSync(other.cert, 'utf8'), checkCn: true, sni: true });
    rig.delivery.retryNow(url);
    await eventually(() => (rig.delivery.state(url).failures === 2 ? true : undefined));
    expect(rig.delivery.state(url).lastError).toMatch(
      /^TLS: the server certificate is not signed by a trusted CA — checked against the CA uploaded for 127\.0\.0\.1:\d+ \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/,
    );
    expect(r.received).toHaveLength(0);

    const uploaded = rig.cas.put({ hostPort, caPem: readFileSync(ca.cert, 'utf8'), checkCn: true, sni: true });
    expect(uploaded.subject).toBe('CN=Callback Test CA');
    rig.delivery.retryNow(url);
    await eventually(() => (rig.delivery.state(url).delivered === 1 ? true : undefined));
    expect(r.received[0]?.json).toEqual({ n: 1 });
  });

  it('checks the certificate name only when the CN check is on', async () => {
    const dir = tempDir();
    const ca = makeCa(dir, 'Callback Test CA');
    const r = await receiver(makeServerCert(dir, ca, 'elsewhere.example', 'DNS:elsewhere.example'));
    const url = r.url();
    const caPem = readFileSync(ca.cert, 'utf8');
    rig.cas.put({ hostPort: `127.0.0.1:${r.port}`, caPem, checkCn: true, sni: false });
    rig.delivery.enqueue({ url, notifyType: 'deviceAdded', body: { n: 2 } });
    await eventually(() => (rig.delivery.state(url).failures === 1 ? true : undefined));
    expect(rig.delivery.state(url).lastError).toContain("does not name the URL's host (CN check is on)");

    rig.cas.put({ hostPort: `127.0.0.1:${r.port}`, caPem, checkCn: false, sni: false });
    rig.delivery.retryNow(url);
    await eventually(() => (rig.delivery.state(url).delivered === 1 ? true : undefined));
  });

  it('refuses a certificate that is not a CA, or not a certificate', () => {
    expect(() => rig.cas.put({ hostPort: '127.0.0.1:1', caPem: 'garbage', checkCn: true, sni: true })).toThrow(
      /not a PEM X\.509 certificate/,
    );
  });
});
