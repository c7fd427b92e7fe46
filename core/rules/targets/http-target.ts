// HTTP(S) webhook target: one POST of a JSON document per message, a few in parallel, over kept-alive connections.
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../clock.js';
import type { ForwardMessage, TargetConfig } from '../../contract/rules.js';
import { SEND_TIMEOUT_MS, withTimeout, type TargetClient } from './target-client.js';

type HttpConfig = Extract<TargetConfig, { kind: 'http' }>;
const PARALLEL = 8;

export function createHttpTarget(config: HttpConfig, clock: Clock): TargetClient {
  const url = new URL(config.url);
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: PARALLEL,
        ...(config.tls?.ca ? { ca: config.tls.ca } : {}),
        rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
      })
    : new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  let connected = false;

  const post = (message: ForwardMessage) =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify(message));
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...config.headers, 'content-type': 'application/json', 'content-length': body.length },
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          response.on('end', () =>
            status >= 200 && status < 300 ? resolve() : reject(new Error(`the webhook answered HTTP ${status}`)),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  return {
    get connected() {
      return connected;
    },
    async send(messages) {
      try {
        for (let i = 0; i < messages.length; i += PARALLEL)
          await withTimeout(clock, Promise.all(messages.slice(i, i + PARALLEL).map(post)), SEND_TIMEOUT_MS, 'POST');
        connected = true;
      } catch (error) {
        connected = false;
        throw error;
      }
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
