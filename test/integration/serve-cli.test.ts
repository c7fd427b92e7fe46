// `iotwb serve` as a user runs it: one ready line, real ports, a clean stop on SIGTERM and SIGINT.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runIotwb, startServe } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

describe('iotwb serve', () => {
  it('prints exactly one JSON ready line with the assigned ports and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const serve = await startServe(dataDir);
    const { ready } = serve;
    expect(ready.ui).toBe(`${ready.api}/#token=${ready.token}`);
    expect(ready.dataDir).toBe(dataDir);
    for (const port of Object.values(ready.ports)) expect(port).toBeGreaterThan(0);

    const health = await fetch(`${ready.api}/api/health`, { headers: { authorization: `Bearer ${ready.token}` } });
    expect(health.status).toBe(200);
    const info = (await (
      await fetch(`${ready.api}/api/platform`, { headers: { authorization: `Bearer ${ready.token}` } })
    ).json()) as {
      ports: Record<string, number>;
    };
    expect(info.ports).toEqual(ready.ports);

    const { code, ms } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(serve.stdoutLines).toHaveLength(1);
    await expect(fetch(`${ready.api}/api/health`)).rejects.toThrow();
  });

  it('stops cleanly on SIGINT and uses a given token', async () => {
    const token = 'ci-token-0123456789abcdef';
    const serve = await startServe(tempDir(), ['--token', token]);
    expect(serve.ready.token).toBe(token);
    const res = await fetch(`${serve.ready.api}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect((await serve.stop('SIGINT')).code).toBe(0);
  });

  it('exits 1 with a clear message when a device port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const child = runIotwb([
      'serve',
      '--json',
      '--api-port',
      '0',
      '--mqtt-port',
      String(taken),
      '--coap-port',
      '0',
      '--northbound-port',
      '0',
      '--bind',
      '127.0.0.1',
      '--data-dir',
      tempDir(),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    blocker.close();
    expect(code).toBe(1);
    expect(JSON.parse(stdout.trim())).toMatchObject({ event: 'error', code: 'PORT_IN_USE' });
    expect(stderr).toContain(`MQTT port ${taken} on 127.0.0.1 is in use by another program`);
  });
});
