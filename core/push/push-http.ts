// One push POST to a callback URL over HTTP or HTTPS (the CA uploaded for its host:port, CN check, SNI), with the
// platform's 15 s answer limit on the injected clock. Answers what happened; never throws.
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../clock.js';

export const ANSWER_TIMEOUT_MS = 15_000;

export interface CallbackTls {
  caPem: string;
  checkCn: boolean;
  sni: boolean;
}

export type PostOutcome =
  { kind: 'answer'; status: number; latencyMs: number } | { kind: 'error'; error: string; latencyMs: number };

const tlsReasons: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is not signed by a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'chains to a CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed and not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is issued by a CA that is not trusted',
  CERT_HAS_EXPIRED: 'has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: "does not name the URL's host (CN check is on)",
};

function describeError(error: Error & { code?: string }, url: URL, tls: CallbackTls | undefined): string {
  const code = error.code ?? '';
  const reason = tlsReasons[code];
  if (reason) {
    const trust = tls
      ? `the CA uploaded for ${url.host}`
      : `no CA certificate is uploaded for ${url.host}; upload the CA that signed the server's certificate`;
    return `TLS: the server certificate ${reason} — checked against ${trust} (${code})`;
  }
  if (code === 'ECONNREFUSED') return `connection refused by ${url.host} (ECONNREFUSED)`;
  if (code === 'ECONNRESET') return `the connection to ${url.host} was reset (ECONNRESET)`;
  return `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
}

export class PushPoster {
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly clock: Clock,
    private readonly tlsFor: (hostPort: string) => CallbackTls | undefined,
  ) {}

  /** Drops kept-alive connections (a CA changed, or the platform stops). */
  reset(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  post(target: string, body: string, headers: Record<string, string> = {}): Promise<PostOutcome> {
    const started = this.clock.now();
    const latency = () => Math.max(0, this.clock.now() - started);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return Promise.resolve({ kind: 'error', error: `not a URL: ${target}`, latencyMs: 0 });
    }
    const secure = url.protocol === 'https:';
    const tls = secure ? this.tlsFor(url.host) : undefined;
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: PostOutcome) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(outcome);
      };
      const options: https.RequestOptions = {
        method: 'POST',
        agent: this.agent(url),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      };
      if (secure && tls) {
        options.ca = tls.caPem;
        if (!tls.checkCn) options.checkServerIdentity = () => undefined;
        if (!tls.sni) options.servername = '';
      }
      const request = (secure ? https : http).request(url, options, (response) => {
        response.resume();
        // The status is the answer; the body is not read further than draining it.
        done({ kind: 'answer', status: response.statusCode ?? 0, latencyMs: latency() });
      });
      const timer = this.clock.setTimeout(() => {
        done({ kind: 'error', error: `no answer within ${ANSWER_TIMEOUT_MS / 1000} s`, latencyMs: latency() });
        request.destroy();
      }, ANSWER_TIMEOUT_MS);
      request.on('error', (error) =>
        done({ kind: 'error', error: describeError(error, url, tls), latencyMs: latency() }),
      );
      request.end(body);
    });
  }

  private agent(url: URL): http.Agent {
    const key = `${url.protocol}//${url.host}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: 8 };
      agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }
}
