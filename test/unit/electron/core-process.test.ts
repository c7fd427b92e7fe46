import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { attachCoreProcess, serveCorePort, type CoreProcessDeps } from '../../../electron/core-process.js';
import { StartupError, type Platform } from '../../../core/platform-types.js';

class PortStub extends EventEmitter {
  readonly sent: unknown[] = [];
  readonly start = vi.fn();
  readonly close = vi.fn();
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  send(data: unknown): void {
    this.emit('message', { data, ports: [] });
  }
}

const runtime = {
  apiUrl: 'http://127.0.0.1:43117',
  token: 'tok-abcdefghijklmnop',
  dataDir: '/data',
  ports: { api: 43117 },
};

function deps(platform: Partial<Platform>): CoreProcessDeps & { createPlatform: ReturnType<typeof vi.fn> } {
  return {
    createPlatform: vi.fn(() => ({
      start: vi.fn(() => Promise.resolve(runtime)),
      stop: vi.fn(() => Promise.resolve()),
      ...platform,
    })),
    defaultDataDir: () => '/default/IoT Workbench',
    exit: vi.fn(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('core process (inside the utilityProcess)', () => {
  it('starts the platform with the config it was sent and reports ready', async () => {
    const port = new PortStub();
    const d = deps({});
    serveCorePort(port, d);
    expect(port.start).toHaveBeenCalled();
    port.send({ type: 'start', config: { rendererDir: '/app/dist/renderer', apiPort: 0 } });
    await settle();
    expect(d.createPlatform).toHaveBeenCalledWith({
      rendererDir: '/app/dist/renderer',
      apiPort: 0,
      dataDir: '/default/IoT Workbench',
    });
    expect(port.sent).toEqual([{ type: 'ready', ...runtime }]);
  });

  it('reports a StartupError with its code and file', async () => {
    const port = new PortStub();
    serveCorePort(
      port,
      deps({
        start: () => Promise.reject(new StartupError('DATABASE_UNREADABLE', 'not a database', '/data/workbench.db')),
      }),
    );
    port.send({ type: 'start', config: { dataDir: '/data' } });
    await settle();
    expect(port.sent).toEqual([
      { type: 'error', code: 'DATABASE_UNREADABLE', message: 'not a database', file: '/data/workbench.db' },
    ]);
  });

  it('reports any other failure as CORE_START_FAILED', async () => {
    const port = new PortStub();
    serveCorePort(port, deps({ start: () => Promise.reject(new Error('EACCES: /data')) }));
    port.send({ type: 'start', config: {} });
    await settle();
    expect(port.sent).toEqual([{ type: 'error', code: 'CORE_START_FAILED', message: 'EACCES: /data' }]);
  });

  it('stops the platform, says so and exits on stop', async () => {
    const port = new PortStub();
    const stop = vi.fn(() => Promise.resolve());
    const d = deps({ stop });
    serveCorePort(port, d);
    port.send({ type: 'start', config: {} });
    await settle();
    port.send({ type: 'stop' });
    await settle();
    expect(stop).toHaveBeenCalled();
    expect(port.sent.at(-1)).toEqual({ type: 'stopped' });
    expect(d.exit).toHaveBeenCalledWith(0);
  });

  it('ignores malformed messages', async () => {
    const port = new PortStub();
    const d = deps({});
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    serveCorePort(port, d);
    port.send({ type: 'start', config: { apiPort: 'eighty' } });
    port.send('stop');
    await settle();
    expect(d.createPlatform).not.toHaveBeenCalled();
    expect(port.sent).toEqual([]);
    error.mockRestore();
  });

  it('passes the key unwrapped by the OS keychain on to the platform', async () => {
    const port = new PortStub();
    const d = deps({});
    serveCorePort(port, d);
    const deviceSecretKey = {
      store: 'os-keychain',
      keyHex: 'ab'.repeat(32),
      wrappedFile: '/data/device-secrets.key.safe',
    };
    port.send({ type: 'start', config: { dataDir: '/data', deviceSecretKey } });
    await settle();
    expect(d.createPlatform).toHaveBeenCalledWith({ dataDir: '/data', deviceSecretKey });
  });

  it('ignores a start message whose key is not a 32-byte hex key', async () => {
    const port = new PortStub();
    const d = deps({});
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    serveCorePort(port, d);
    port.send({
      type: 'start',
      config: {
        deviceSecretKey: { store: 'os-keychain', keyHex: 'abc', wrappedFile: '/data/device-secrets.key.safe' },
      },
    });
    await settle();
    expect(d.createPlatform).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('takes its MessagePort from the first parentPort message', () => {
    const parentPort = new EventEmitter();
    const port = new PortStub();
    attachCoreProcess(parentPort, deps({}));
    parentPort.emit('message', { data: { type: 'connect' }, ports: [port] });
    expect(port.start).toHaveBeenCalled();
  });
});
