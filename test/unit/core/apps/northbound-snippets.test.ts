// The curl commands the Applications page offers: quoting survives any secret a user can set, and the TLS options
// follow the endpoint (trust the server certificate; with mutual TLS, present a client certificate).
// (Here rather than under test/unit/renderer: it runs the quoted text through a real sh, which needs Node.)
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  curlDevicesSnippet,
  curlLoginSnippet,
  shellQuote,
} from '../../../../renderer/features/apps/northboundSnippets.js';

describe('shellQuote', () => {
  it('gives sh back exactly the printable ASCII a secret may hold, quotes included', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{0,40}$/), (value) => {
        expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`]).toString()).toBe(value);
      }),
      { numRuns: 60 },
    );
  });
});

describe('curl snippets', () => {
  const plain = { enabled: true, tls: false, baseUrl: 'http://127.0.0.1:8743' };
  const mutual = {
    enabled: true,
    tls: true,
    baseUrl: 'https://127.0.0.1:8743',
    certFile: "/data/it's here/server-cert.pem",
    clientCaFile: '/ca.pem',
  };

  it('logs in with a form body over plain HTTP, with a placeholder until the secret is known', () => {
    expect(curlLoginSnippet(plain, 'app_1')).toBe(
      [
        "curl -sS -X POST 'http://127.0.0.1:8743/iocm/app/sec/v1.1.0/login' \\",
        "  --data-urlencode 'appId=app_1' \\",
        "  --data-urlencode 'secret=<appSecret>'",
      ].join('\n'),
    );
  });

  it('trusts the server certificate and presents a client certificate with mutual TLS', () => {
    const login = curlLoginSnippet(mutual, 'app_1', "s3cr'et");
    expect(login).toContain(`--cacert '/data/it'\\''s here/server-cert.pem'`);
    expect(login).toContain('--cert client-cert.pem --key client-key.pem');
    expect(login).toContain(`--data-urlencode 'secret=s3cr'\\''et'`);
    const call = curlDevicesSnippet(mutual, 'app_1');
    expect(call).toContain("-H 'app_key: app_1'");
    expect(call).toContain("-H 'Authorization: Bearer <accessToken>'");
  });
});
