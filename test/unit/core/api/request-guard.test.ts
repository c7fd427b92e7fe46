import { describe, expect, it } from 'vitest';
import { allowedHosts, bearerToken, originAllowed, tokensEqual } from '../../../../core/api/request-guard.js';

describe('request guard', () => {
  const hosts = allowedHosts(4100);

  it('accepts only this server under its loopback names', () => {
    expect([...hosts].sort()).toEqual(['127.0.0.1:4100', '[::1]:4100', 'localhost:4100']);
    expect(hosts.has('evil.example:4100')).toBe(false);
    expect(hosts.has('127.0.0.1:4101')).toBe(false);
  });

  it('reads a bearer token and nothing else', () => {
    expect(bearerToken('Bearer abc_DEF-123')).toBe('abc_DEF-123');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer abc def')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares tokens of different lengths without throwing', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
  });

  it('lets only the workbench pages open the event stream', () => {
    expect(originAllowed(undefined, hosts)).toBe(true);
    expect(originAllowed('http://127.0.0.1:4100', hosts)).toBe(true);
    expect(originAllowed('http://evil.example', hosts)).toBe(false);
    expect(originAllowed('null', hosts)).toBe(false);
  });
});
