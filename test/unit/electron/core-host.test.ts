import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { electron, type FakeMessagePort, type FakeUtilityProcess } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electron);

const { startCore, showCoreFailure, describeCoreFailure, CoreStartFailure } =
  await import('../../../electron/core-host.js');

const config = { dataDir: '/home/u/.config/IoT Workbench', rendererDir: '/app/dist/renderer', apiPort: 0 };
const ready = {
  type: 'ready',
  apiUrl: 'http://127.0.0.1:43117',
  token: 'per-launch-token-abcdef',
  dataDir: '/home/u/.config/IoT Workbench',
  ports: { api: 43117, mqtt: 1883, coap: 5683 },
};

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

/** The child's side: what it received on its MessagePort, and a way to answer. */
function child(): { process: FakeUtilityProcess; port: FakeMessagePort; reply: (message: unknown) => void } {
  const process = electron.forked.at(-1);
  if (!process) throw new Error('nothing was forked');
  const port = process.childPort;
  return { process, port, reply: (message) => port.postMessage(message) };
}

function received(port: FakeMessagePort): unknown[] {
  return port.other?.sent ?? [];
}

describe('core host', () => {
  beforeEach(() => {
    electron.forked.length = 0;
    electron.dialog.showErrorBox.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it('forks the core process and sends it the launch config over a MessagePort', async () => {
    const starting = startCore({ modulePath: '/app/dist/electron/core-process.js', config });
    const { process, port, reply } = child();
    expect(electron.utilityProcess.fork).toHaveBeenLastCalledWith(
      '/app/dist/electron/core-process.js',
      [],
      expect.objectContaining({ serviceName: 'IoT Workbench core' }),
    );
    expect(process.parentMessages[0]?.message).toEqual({ type: 'connect' });
    expect(received(port)).toEqual([{ type: 'start', config }]);
    reply(ready);
    await expect(starting).resolves.toMatchObject({
      runtime: { apiUrl: ready.apiUrl, token: ready.token, dataDir: ready.dataDir, ports: ready.ports },
    });
  });

  it('rejects with the code, message and file the core reported', async () => {
    const starting = startCore({ modulePath: '/c.js', config });
    const { process, reply } = child();
    reply({
      type: 'error',
      code: 'DATABASE_TOO_NEW',
      message: 'the database was written by a newer IoT Workbench (schema 9, this build knows 4)',
      file: '/data/workbench.db',
    });
    const failure = await starting.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CoreStartFailure);
    expect((failure as InstanceType<typeof CoreStartFailure>).failure).toEqual({
      code: 'DATABASE_TOO_NEW',
      message: 'the database was written by a newer IoT Workbench (schema 9, this build knows 4)',
      file: '/data/workbench.db',
    });
    expect(process.kill).toHaveBeenCalled();
  });

  it('shows an error dialog naming what failed and the file', () => {
    showCoreFailure({
      code: 'MIGRATION_FAILED',
      message: 'migration 3 (commands) failed: no such table: jobs',
      file: '/data/workbench.db',
    });
    expect(electron.dialog.showErrorBox).toHaveBeenCalledOnce();
    const [title, content] = electron.dialog.showErrorBox.mock.calls[0] as unknown as [string, string];
    expect(title).toMatch(/could not start/);
    expect(content).toContain('migration 3 (commands) failed: no such table: jobs');
    expect(content).toContain('/data/workbench.db');
    expect(content).toContain('MIGRATION_FAILED');
  });

  it('leaves the file line out when the failure has no file', () => {
    expect(describeCoreFailure({ code: 'PORT_IN_USE', message: 'MQTT port 1883 is in use' }).content).not.toContain(
      'File:',
    );
  });

  it('fails when the core process dies before it is ready', async () => {
    const starting = startCore({ modulePath: '/c.js', config });
    child().process.emit('exit', 3);
    await expect(starting).rejects.toMatchObject({ failure: { code: 'CORE_EXITED' } });
  });

  it('fails on a message it does not understand', async () => {
    const starting = startCore({ modulePath: '/c.js', config });
    child().reply({ type: 'ready', apiUrl: 'not a url' });
    await expect(starting).rejects.toMatchObject({ failure: { code: 'CORE_PROTOCOL' } });
  });

  it('gives up and kills the core if it never reports ready', async () => {
    vi.useFakeTimers();
    const starting = startCore({ modulePath: '/c.js', config, startTimeoutMs: 1000 });
    const rejected = expect(starting).rejects.toMatchObject({ failure: { code: 'CORE_TIMEOUT' } });
    await vi.advanceTimersByTimeAsync(1000);
    await rejected;
    expect(child().process.kill).toHaveBeenCalled();
  });

  it('stops the core by asking it, and does not kill a core that exits in time', async () => {
    const starting = startCore({ modulePath: '/c.js', config });
    const { process, port, reply } = child();
    reply(ready);
    const host = await starting;
    port.on('message', (event: { data: { type: string } }) => {
      if (event.data.type === 'stop') queueMicrotask(() => process.emit('exit', 0));
    });
    await host.stop();
    expect(received(port)).toContainEqual({ type: 'stop' });
    expect(process.kill).not.toHaveBeenCalled();
    await host.stop();
  });

  it('kills the core when it has not exited 5 s after stop', async () => {
    vi.useFakeTimers();
    const starting = startCore({ modulePath: '/c.js', config });
    const { process, reply } = child();
    reply(ready);
    const host = await starting;
    const stopping = host.stop();
    await vi.advanceTimersByTimeAsync(4999);
    expect(process.kill).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(process.kill).toHaveBeenCalledOnce();
  });

  it('reports a crash after start, but not the exit it asked for', async () => {
    const onUnexpectedExit = vi.fn();
    const starting = startCore({ modulePath: '/c.js', config, onUnexpectedExit });
    const { process, reply } = child();
    reply(ready);
    await starting;
    process.emit('exit', 134);
    await flush();
    expect(onUnexpectedExit).toHaveBeenCalledWith(expect.objectContaining({ code: 'CORE_EXITED' }));
  });
});
