import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientId } from '../../../../../core/protocols/mqtt/device-credentials.js';
import {
  parseDynamicClientId,
  secretAckTopic,
  secretNotifyPayload,
  secretNotifyTopic,
} from '../../../../../core/protocols/mqtt/dynamic-credentials.js';

describe('authType 1 clientId', () => {
  it('splits productId and nodeId at the first underscore, the fixed parts taken from the right', () => {
    expect(parseDynamicClientId('5f0c1e2d3b4a59687a6b5c4d_lamp_07_1_1_2026112612')).toEqual({
      ok: true,
      value: { productId: '5f0c1e2d3b4a59687a6b5c4d', nodeId: 'lamp_07', signType: 1, timestamp: '2026112612' },
    });
  });

  it('leaves deviceId and nodeId logins to the other parser', () => {
    expect(parseDynamicClientId('5f0c1e2d3b4a59687a6b5c4d_lamp_0_0_2026112612')).toBeUndefined();
    expect(parseDynamicClientId('lamp_1_2_0_2026112612')).toBeUndefined();
    expect(parseDynamicClientId('D39564861q3gDa_0_0_2018072417')).toBeUndefined();
  });

  it('explains a malformed authType 1 clientId', () => {
    expect(parseDynamicClientId('lamp_1_0_2026112612')).toMatchObject({ ok: false, reason: /no productId or nodeId/ });
    expect(parseDynamicClientId('_lamp_1_0_2026112612')).toMatchObject({ ok: false });
    expect(parseDynamicClientId('p_n_1_2_2026112612')).toEqual({ ok: false, reason: 'signType must be 0 or 1' });
    expect(parseDynamicClientId('p_n_1_0_20261126')).toMatchObject({ ok: false, reason: /YYYYMMDDHH/ });
  });

  it('names the topics and the payload of the secret exchange (§2.2)', () => {
    expect(secretNotifyTopic('p1', 'n1')).toBe('/huawei/v1/products/p1/sn/n1/secretNotify');
    expect(secretAckTopic('p1', 'n1')).toBe('/huawei/v1/products/p1/sn/n1/secretACK');
    expect(JSON.parse(secretNotifyPayload('p1_n1', 's3cret'))).toEqual({
      msgType: 'cloudSendSecret',
      deviceid: 'p1_n1',
      secret: 's3cret',
    });
  });

  it('round-trips any productId without underscores and any nodeId', () => {
    const productId = fc.stringMatching(/^[0-9a-f]{1,24}$/);
    const nodeId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
    const timestamp = fc.stringMatching(/^\d{10}$/);
    fc.assert(
      fc.property(productId, nodeId, fc.constantFrom(0, 1), timestamp, (p, n, sign, ts) => {
        expect(parseDynamicClientId(`${p}_${n}_1_${sign}_${ts}`)).toEqual({
          ok: true,
          value: { productId: p, nodeId: n, signType: sign, timestamp: ts },
        });
      }),
    );
  });

  it('never throws on garbage, and every clientId is handled by exactly one of the two parsers', () => {
    const pieces = fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('0', '1', '2', '2026112612', '')), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          pieces.map((p) => p.join('_')),
        ),
        (clientId) => {
          const dynamic = parseDynamicClientId(clientId);
          const deviceLogin = parseClientId(clientId);
          // An authType 1 clientId never passes as a deviceId/nodeId login, and the dynamic parser claims no other.
          if (dynamic !== undefined) expect(deviceLogin.ok).toBe(false);
          if (dynamic === undefined && deviceLogin.ok) expect(deviceLogin.value.authType).not.toBe(1);
          if (dynamic === undefined) return;
          if (dynamic.ok) {
            expect(clientId.startsWith(`${dynamic.value.productId}_${dynamic.value.nodeId}_1_`)).toBe(true);
            expect(dynamic.value.productId).not.toContain('_');
          } else expect(dynamic.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
