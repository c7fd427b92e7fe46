// Callback URL rules (§1.10: http or https, explicit port) and subscription bookkeeping, with garbage input.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statusOfError } from '../../../../core/api/error-statuses.js';
import { createManualClock } from '../../../../core/clock.js';
import { DomainError } from '../../../../core/domain-error.js';
import { PushStore, pushMigrations } from '../../../../core/push/push-store.js';
import { checkCallbackUrl, PushSubscriptions } from '../../../../core/push/push-subscriptions.js';
import { runMigrations } from '../../../../core/store/migrations.js';

function subscriptions() {
  const db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: 'push', migrations: pushMigrations }], () => new Date());
  return new PushSubscriptions(new PushStore(db), createManualClock());
}

describe('checkCallbackUrl', () => {
  it.each([
    'http://127.0.0.1:8080/v1.0.0/messageReceiver',
    'https://app.example.com:8443/na/iocm/devNotify/v1.1.0/updateDeviceData',
    'http://[::1]:9000/cb',
    'https://10.0.0.5:443',
  ])('accepts %s', (url) => expect(checkCallbackUrl(url)).toBe(url));

  it.each([
    ['http://app.example.com/callback', 'explicit port'],
    ['https://app.example.com', 'explicit port'],
    ['ftp://app.example.com:21/x', 'http or https'],
    ['not a url', 'not a URL'],
    ['http://app.example.com:99999/x', 'not a URL'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(() => checkCallbackUrl(url)).toThrow(reason);
    try {
      checkCallbackUrl(url);
    } catch (error) {
      expect(statusOfError((error as DomainError).code)).toBe(400);
    }
  });

  it('answers garbage with a DomainError, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' })), (raw) => {
        try {
          const accepted = checkCallbackUrl(raw);
          expect(/^https?:\/\//i.test(accepted)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PushSubscriptions', () => {
  it('answers the existing subscription when the same URL subscribes the same type again', () => {
    const subs = subscriptions();
    const a = subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceAdded', callbackUrl: 'http://h:1/x' });
    const b = subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceAdded', callbackUrl: 'http://h:1/x' });
    expect(b.subscriptionId).toBe(a.subscriptionId);
    expect(subs.urlsFor('A', 'deviceAdded')).toEqual(['http://h:1/x']);
    expect(subs.urlsFor('B', 'deviceAdded')).toEqual([]);
  });

  it("hides another application's subscription", () => {
    const subs = subscriptions();
    const a = subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceAdded', callbackUrl: 'http://h:1/x' });
    expect(() => subs.get(a.subscriptionId, 'B')).toThrow(/no subscription/);
    expect(() => subs.delete(a.subscriptionId, 'B')).toThrow(/no subscription/);
    expect(subs.list({ appId: 'A' })).toHaveLength(1);
  });

  it('deletes many by type and URL', () => {
    const subs = subscriptions();
    subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceAdded', callbackUrl: 'http://h:1/x' });
    subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceDeleted', callbackUrl: 'http://h:1/x' });
    subs.create({ appId: 'A', ownerAppId: 'A', notifyType: 'deviceDeleted', callbackUrl: 'http://h:2/y' });
    expect(subs.deleteMany({ appId: 'A', callbackUrl: 'http://h:1/x' })).toBe(2);
    expect(subs.urls('A')).toEqual(['http://h:2/y']);
  });
});
