// An application server's callback endpoint for push tests: node:http (or https with given key/cert) on 127.0.0.1,
// recording every POST and answering 200, another status, or nothing at all.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

export interface TestReceiverServer {
  url: (path?: string) => string;
  port: number;
  received: ReceivedRequest[];
  /** 200, another status, or 'none' (hold the request open, never answer). */
  answer: number | 'none';
  /** Requests that arrived and were not answered yet ('none'). */
  held: number;
  close(): Promise<void>;
}

export async function startReceiver(tls?: {
  key: string | Buffer;
  cert: string | Buffer;
}): Promise<TestReceiverServer> {
  const state = {
    received: [] as ReceivedRequest[],
    answer: 200 as number | 'none',
    held: 0,
  };
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // recorded as text
      }
      state.received.push({ path: request.url ?? '/', headers: request.headers, text, json });
      if (state.answer === 'none') {
        state.held++;
        return;
      }
      response.writeHead(state.answer, { 'content-type': 'application/json' });
      response.end('{}');
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  return Object.assign(state, {
    port,
    url: (path = '/v1.0.0/messageReceiver') => `${scheme}://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
