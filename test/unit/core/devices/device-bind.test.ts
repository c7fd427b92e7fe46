// The registry's Agent-Lite-style bind on a real SQLite file: once, with the right code, before the deadline,
// only for MQTT devices registered in verification-code mode; the bound device gets a fresh secret.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { createDevicesCapability } from '../../../../core/devices/index.js';
import { DeviceRegistry, type RegistryChange } from '../../../../core/devices/device-registry.js';
import { createSecretBox } from '../../../../core/devices/secret-box.js';
import { DomainError } from '../../../../core/domain-error.js';
import { openStore, type OpenedStore } from '../../../../core/store/database.js';

let dir: string;
let store: OpenedStore;
let registry: DeviceRegistry;
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const changes: RegistryChange[] = [];
const products = {
  product: (id: string) =>
    id === 'gw'
      ? { id, protocolType: 'MQTT' as const }
      : id === 'meter'
        ? { id, protocolType: 'LWM2M' as const }
        : undefined,
};
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
  return undefined;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'iotwb-bind-'));
  const migrations = createDevicesCapability({ products: () => products, groupScope: () => [] }).migrations;
  store = openStore(join(dir, 'db.sqlite'), [{ capability: 'devices', migrations }], () => new Date(clock.now()));
  registry = new DeviceRegistry(store.db, clock, createSecretBox(Buffer.alloc(32, 7)), products);
  changes.length = 0;
  registry.onChange((c) => changes.push(c));
});
afterEach(() => {
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('binding a verify-code device', () => {
  it('binds once with nodeId and verify code, activates it and gives it a new secret', () => {
    const { device, secret: before } = registry.register({
      productId: 'gw',
      nodeId: 'n-1',
      verifyCode: 'n-1',
      timeout: 60,
    });
    clock.advance(5_000);
    const bound = registry.bind('n-1', 'n-1');
    expect(bound.device).toMatchObject({ deviceId: device.deviceId, activated: true });
    expect(bound.device.boundAt).toBe(new Date(clock.now()).toISOString());
    expect(bound.device.activationDeadline).toBeUndefined();
    expect(bound.secret).not.toBe(before);
    expect(registry.secret(device.deviceId)).toBe(bound.secret);
    expect(changes.at(-1)).toEqual({ kind: 'activated', deviceId: device.deviceId });
    expect(codeOf(() => registry.bind('n-1', 'n-1'))).toBe('BIND_ALREADY_BOUND');
  });

  it('refuses a wrong code, an unknown nodeId, a device not in verify-code mode and a non-MQTT device', () => {
    registry.register({ productId: 'gw', nodeId: 'n-2', verifyCode: 'code-2' });
    registry.register({ productId: 'gw', nodeId: 'n-3' });
    registry.register({ productId: 'meter', nodeId: 'n-4', verifyCode: 'n-4' });
    expect(codeOf(() => registry.bind('n-2', 'n-2'))).toBe('BIND_WRONG_CODE');
    expect(codeOf(() => registry.bind('nobody', 'x'))).toBe('BIND_NOT_REGISTERED');
    expect(codeOf(() => registry.bind('n-3', 'n-3'))).toBe('BIND_NOT_REGISTERED');
    expect(codeOf(() => registry.bind('n-4', 'n-4'))).toBe('BIND_NOT_REGISTERED');
    expect(registry.bind('n-2', 'code-2').device.activated).toBe(true);
  });

  it('refuses a code whose deadline passed before the expiry removed the device', () => {
    registry.register({ productId: 'gw', nodeId: 'n-5', verifyCode: 'n-5', timeout: 30 });
    clock.advance(30_000);
    expect(codeOf(() => registry.bind('n-5', 'n-5'))).toBe('BIND_CODE_EXPIRED');
  });

  it('refuses a device that already connected on its own (activated without a bind)', () => {
    const { device } = registry.register({ productId: 'gw', nodeId: 'n-6', verifyCode: 'n-6' });
    registry.touch(device.deviceId, 'online');
    expect(codeOf(() => registry.bind('n-6', 'n-6'))).toBe('BIND_ALREADY_BOUND');
  });
});
