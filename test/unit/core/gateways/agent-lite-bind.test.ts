// The bind request parser and the refusal table: garbage never throws out of the parser, each refusal has its
// Agent Lite result code.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BIND_RESULT, bindRefusal, parseBindRequest } from '../../../../core/gateways/agent-lite-bind.js';

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('bind request', () => {
  it('reads the verify code and the nodeId of the device info, with null optional fields', () => {
    expect(
      parseBindRequest(
        bytes({ verifyCode: 'SN-1', deviceInfo: { nodeId: 'SN-1', model: null, manufacturerId: 'Acme' } }),
      ),
    ).toEqual({ ok: true, value: { verifyCode: 'SN-1', nodeId: 'SN-1' } });
  });

  it('refuses a missing code, a bad nodeId and a body that is not JSON', () => {
    expect(parseBindRequest(bytes({ deviceInfo: { nodeId: 'a' } }))).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD' },
    });
    const badNode = parseBindRequest(bytes({ verifyCode: 'a', deviceInfo: { nodeId: 'a b' } }));
    expect(badNode.ok ? undefined : badNode.error.message).toContain('deviceInfo.nodeId');
    expect(parseBindRequest(Buffer.from('{"verifyCode":'))).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
  });

  it('returns an error, never throws, for random and truncated input', () => {
    const valid = JSON.stringify({ verifyCode: 'SN-1', deviceInfo: { nodeId: 'SN-1' } });
    for (let i = 0; i < 500; i++) {
      const input = i % 2 === 0 ? randomBytes(i % 97) : Buffer.from(valid.slice(0, i % valid.length));
      const r = parseBindRequest(input);
      expect(r.ok).toBe(false);
    }
  });
});

describe('bind refusals', () => {
  it('answers each registry refusal with its status and Agent Lite result', () => {
    expect(bindRefusal('BIND_NOT_REGISTERED')).toEqual({ status: 404, resultCode: BIND_RESULT.notRegistered });
    expect(bindRefusal('BIND_CODE_EXPIRED')).toEqual({ status: 410, resultCode: BIND_RESULT.codeExpired });
    expect(bindRefusal('BIND_WRONG_CODE')).toEqual({ status: 403, resultCode: BIND_RESULT.failed });
    expect(bindRefusal('BIND_ALREADY_BOUND')).toEqual({ status: 409, resultCode: BIND_RESULT.failed });
    expect(bindRefusal('BAD_NODE_ID')).toEqual({ status: 400, resultCode: BIND_RESULT.failed });
  });
});
