import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { claimSingleInstance } from '../../../electron/single-instance.js';

function fakeApp(lock: boolean) {
  return Object.assign(new EventEmitter(), { requestSingleInstanceLock: vi.fn(() => lock), quit: vi.fn() });
}

function fakeWindow(minimized: boolean) {
  return { isMinimized: vi.fn(() => minimized), restore: vi.fn(), show: vi.fn(), focus: vi.fn() };
}

describe('single instance', () => {
  it('quits at once when another workbench holds the lock', () => {
    const app = fakeApp(false);
    expect(claimSingleInstance(app, () => null)).toBe(false);
    expect(app.quit).toHaveBeenCalledOnce();
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('keeps running with the lock and brings its window forward when a second copy starts', () => {
    const app = fakeApp(true);
    const window = fakeWindow(true);
    expect(claimSingleInstance(app, () => window)).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    app.emit('second-instance', {}, ['iot-workbench'], '/home');
    expect(window.restore).toHaveBeenCalled();
    expect(window.show).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
  });

  it('ignores a second copy while no window exists yet', () => {
    const app = fakeApp(true);
    claimSingleInstance(app, () => null);
    expect(() => app.emit('second-instance', {}, [], '/')).not.toThrow();
  });
});
